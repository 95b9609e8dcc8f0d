import { describe, expect, it } from 'vitest'
import type { AssessedCriterion, OverallEstimate } from './estimator.js'
import { writeFeedback } from './feedback.js'

const criterion = (name: AssessedCriterion['criterion'], score: number, band: AssessedCriterion['band']): AssessedCriterion => ({
  criterion: name,
  assessable: true,
  band,
  score,
  scope: 'full',
  justification: '',
  evidence: [],
})
const criteria = [criterion('fluency', 1.2, 'A1'), criterion('vocabulary', 2.1, 'A2'), criterion('coherence', 1.6, 'A2'), criterion('task_completion', 0.4, 'below_A1')]
const below: OverallEstimate = { assessable: true, estimatedLevel: 'A1', outcome: 'below', score: 1.3, criteria: ['fluency', 'vocabulary', 'coherence', 'task_completion'] }

describe('exam feedback', () => {
  it('says the level as the test reports it, the strongest side and what to work on next', () => {
    const feedback = writeFeedback({ language: 'en', examLevel: 'A2-B1', overall: below, criteria, languageModel: null })
    expect(feedback.text).toMatch(/^Your answers were below A2, the lower level of the A2–B1 test: the estimate is A1\./)
    expect(feedback.text).toContain('Your strongest side was vocabulary (A2); work next on task completion (below A1).')
    expect(feedback.strengths).toEqual(['Vocabulary: A2', 'Coherence: A2'])
    expect(feedback.weaknesses).toEqual(['Task completion: below A1', 'Fluency: A1'])
  })

  it('writes Norwegian for a learner who reads Norwegian, and English for other languages', () => {
    const upper: OverallEstimate = { ...below, estimatedLevel: 'B1', outcome: 'upper' }
    expect(writeFeedback({ language: 'nb', examLevel: 'A2-B1', overall: upper, criteria, languageModel: null }).text).toMatch(/^Du nådde B1, det høyeste nivået på A2–B1-prøven\./)
    expect(writeFeedback({ language: 'ar', examLevel: 'A2-B1', overall: upper, criteria, languageModel: null }).text).toMatch(/^You reached B1, the upper level/)
  })

  it("uses the rater's own feedback after the level when a language model rated the exam, with strengths and weaknesses from the bands", () => {
    const feedback = writeFeedback({ language: 'en', examLevel: 'A1-A2', overall: { ...below, estimatedLevel: 'A2', outcome: 'upper' }, criteria, languageModel: 'Good answers.' })
    expect(feedback).toEqual({
      text: 'You reached A2, the upper level of the A1–A2 test. Good answers.',
      strengths: ['Vocabulary: A2', 'Coherence: A2'],
      weaknesses: ['Task completion: below A1', 'Fluency: A1'],
    })
  })

  it('never lists a criterion as both a strength and a weakness', () => {
    const two = [criterion('fluency', 1.2, 'A1'), criterion('vocabulary', 2.1, 'A2')]
    const feedback = writeFeedback({ language: 'en', examLevel: 'A1-A2', overall: below, criteria: two, languageModel: null })
    expect(feedback.strengths).toEqual(['Vocabulary: A2'])
    expect(feedback.weaknesses).toEqual(['Fluency: A1'])
  })
})

import { describe, expect, it } from 'vitest'
import type { CefrLevel } from '../../core/db/schema/index.js'
import { buildTutorInstructions, cefrAdaptation, type TutorInstructionsInput } from './instructions.js'
import type { LessonScript } from './types.js'

const lesson: LessonScript = {
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'a1-greetings-and-names',
  title: 'Hei! Hva heter du?',
  level: 'A1',
  topic: 'self_and_family',
  context: 'First day at the Norwegian course. The tutor plays Kari, a classmate from Bergen.',
  goals: ['Greet someone and say goodbye', 'Say your name and where you come from'],
  objectives: ['Can introduce themselves and others'],
  vocabulary: [
    { term: 'et navn', gloss: 'a name' },
    { term: 'å hete', gloss: 'to be called' },
  ],
  phrases: [{ text: 'Jeg heter …', gloss: 'My name is …' }],
  steps: [
    { position: 0, tutorPrompt: 'Hei! Jeg heter Kari. Hva heter du?', expectedLearnerMove: 'Says their name.', hints: ['Jeg heter …'], followUpQuestions: ['Hvordan staver du det?'], pictureSlug: null },
    { position: 1, tutorPrompt: 'Hvor kommer du fra?', expectedLearnerMove: 'Says where they come from.', hints: ['Jeg kommer fra …'], followUpQuestions: [], pictureSlug: 'classroom' },
  ],
}

function input(level: CefrLevel, overrides: Partial<TutorInstructionsInput> = {}): TutorInstructionsInput {
  return {
    learner: { name: 'Amina', level, nativeLanguage: 'Arabic', explanationLanguage: 'en', correctionStyle: 'end_of_turn', examGoal: 'A2-B1' },
    mode: 'free',
    rollingSummary: '2026-11-20, 12 min: lesson «Hei! Hva heter du?» (completed); used «Jeg heter».',
    lesson: null,
    stepPosition: null,
    exam: null,
    topic: 'jobb',
    recentTurns: [
      { role: 'tutor', text: 'Hva jobber du med?' },
      { role: 'learner', text: 'Jeg jobber som sykepleier.' },
    ],
    passages: [],
    ...overrides,
  }
}

describe('tutor instructions', () => {
  for (const level of ['A1', 'A2', 'B1', 'B2'] as const) {
    it(`free conversation at ${level}`, async () => {
      await expect(buildTutorInstructions(input(level))).toMatchFileSnapshot(`__snapshots__/instructions-free-${level.toLowerCase()}.txt`)
    })
  }

  for (const level of ['A2', 'B1', 'B2'] as const) {
    it(`lesson mode at ${level}`, async () => {
      const text = buildTutorInstructions(input(level, { mode: 'lesson', lesson, stepPosition: 0, topic: null }))
      await expect(text).toMatchFileSnapshot(`__snapshots__/instructions-lesson-${level.toLowerCase()}.txt`)
    })
  }

  it('lesson mode at A1 names the current step, its hints and what comes next', async () => {
    const text = buildTutorInstructions(input('A1', { mode: 'lesson', lesson, stepPosition: 0, topic: null }))
    expect(text).toContain('Current step 1 of 2')
    expect(text).toContain('call advance_step and go on with the next step: «Hvor kommer du fra?»')
    await expect(text).toMatchFileSnapshot('__snapshots__/instructions-lesson-a1.txt')
  })

  it('lesson mode on the last step says to finish the lesson', () => {
    const text = buildTutorInstructions(input('A1', { mode: 'lesson', lesson, stepPosition: 1 }))
    expect(text).toContain('This is the last step')
    expect(text).toContain('The learner sees the picture "classroom"')
  })

  it('exam mode makes the tutor an examiner who never corrects or helps', async () => {
    const text = buildTutorInstructions(
      input('B1', {
        mode: 'exam',
        exam: {
          level: 'A2-B1',
          title: 'Samtale',
          taskType: 'conversation',
          instructionsEn: 'Talk with the examiner about a familiar topic.',
          examinerScript: ['Nå skal vi snakke sammen.'],
          prompt: 'Fritid',
        },
      }),
    )
    expect(text).toContain('Do not teach, correct, praise or help')
    expect(text).not.toContain('## Corrections')
    await expect(text).toMatchFileSnapshot('__snapshots__/instructions-exam-b1.txt')
  })

  it('follows the correction style and includes retrieved passages', () => {
    const immediate = buildTutorInstructions(input('B1', { learner: { ...input('B1').learner, correctionStyle: 'immediate' } }))
    expect(immediate).toContain('start your reply by saying the corrected sentence')
    const silent = buildTutorInstructions(input('B1', { learner: { ...input('B1').learner, correctionStyle: 'end_of_session' } }))
    expect(silent).toContain('Do not correct the learner during the conversation')
    const withPassages = buildTutorInstructions(input('B2', { passages: [{ source: 'handout.pdf', text: 'Dugnad er frivillig arbeid.' }] }))
    expect(withPassages).toContain('[handout.pdf] Dugnad er frivillig arbeid.')
  })

  it('adapts sentence length and speech rate monotonically from A1 to B2', () => {
    const levels = ['A1', 'A2', 'B1', 'B2'] as const
    const words = levels.map((level) => cefrAdaptation[level].maxSentenceWords)
    const rates = levels.map((level) => cefrAdaptation[level].speechRateWpm)
    expect(words).toEqual([...words].sort((a, b) => a - b))
    expect(rates).toEqual([...rates].sort((a, b) => a - b))
  })

  it('quotes only the most recent turns, clipped', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ role: 'learner' as const, text: `svar ${i} ${'ord '.repeat(200)}` }))
    const text = buildTutorInstructions(input('B2', { recentTurns: many }))
    expect(text).not.toContain('svar 17 ')
    expect(text).toContain('svar 18 ')
    expect(text).toContain('…')
  })
})

import { anObjective, aProfile, json, navigation, onRequest, problem, renderWithProviders, requests } from '../app-shell/test-support'
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { components } from '@/lib/api/schema'
import { OnboardingForm } from './onboarding-form'
import { examForLevel, pickDescriptors, suggestLevel } from './self-assessment'

vi.mock('next/navigation', () => import('../app-shell/test-support').then((module) => module.navigationMock))

type Level = components['schemas']['Objective']['level']

/** Each level as the pack has it: reception first, then production and interaction. */
function objectivesOf(level: Level) {
  return [anObjective(level, 'reception', 1), anObjective(level, 'production', 1), anObjective(level, 'production', 2), anObjective(level, 'interaction', 1), anObjective(level, 'interaction', 2), anObjective(level, 'interaction', 3)]
}

function serveNewLearner() {
  onRequest('GET', '/api/v1/users/me', json(aProfile({ targetLevel: null, examGoal: null, nativeLanguage: null, timeZone: 'Europe/Oslo', onboardedAt: null })))
  onRequest('GET', '/api/v1/curriculum/objectives', (request) => json({ items: objectivesOf(request.query.get('level') as Level) }))
}

function tick(...descriptors: string[]) {
  for (const text of descriptors) fireEvent.click(screen.getByLabelText(text))
}

function levelRadio(level: string) {
  return screen.getByLabelText(new RegExp(`^${level}`)) as HTMLInputElement
}

describe('the self-assessment', () => {
  it('asks about speaking: one production and two interaction descriptors per level', () => {
    expect(pickDescriptors(objectivesOf('A1')).map((objective) => objective.slug)).toEqual(['a1-production-1', 'a1-interaction-1', 'a1-interaction-2'])
  })

  it('suggests the level after the highest one reached without gaps, two of three counting as reached', () => {
    const answers = (a1: number, a2: number, b1: number, b2: number) => ({ A1: { ticked: a1, asked: 3 }, A2: { ticked: a2, asked: 3 }, B1: { ticked: b1, asked: 3 }, B2: { ticked: b2, asked: 3 } })
    expect(suggestLevel(answers(0, 0, 0, 0))).toEqual({ level: 'A1', reachedLevel: null })
    expect(suggestLevel(answers(1, 0, 0, 0)).level).toBe('A1')
    expect(suggestLevel(answers(2, 1, 0, 0))).toEqual({ level: 'A2', reachedLevel: 'A1' })
    expect(suggestLevel(answers(3, 2, 0, 3)).level).toBe('B1')
    expect(suggestLevel(answers(0, 3, 3, 3)).level).toBe('A1')
    expect(suggestLevel(answers(3, 3, 3, 3))).toEqual({ level: 'B2', reachedLevel: 'B2' })
  })

  it('matches each level to the oral test that measures it', () => {
    expect(['A1', 'A2', 'B1', 'B2'].map((level) => examForLevel(level as Level))).toEqual(['A1-A2', 'A1-A2', 'A2-B1', 'B1-B2'])
  })
})

describe('onboarding', () => {
  it('suggests a level from the ticked can-do descriptors and preselects it and its exam', async () => {
    serveNewLearner()
    renderWithProviders(<OnboardingForm />)
    expect(await screen.findByLabelText('Can do A1 production task 1.')).toBeTruthy()
    expect(screen.getAllByRole('checkbox')).toHaveLength(12)
    expect(screen.getByText('Suggested level: A1')).toBeTruthy()
    expect(levelRadio('A1').checked).toBe(true)

    tick('Can do A1 production task 1.', 'Can do A1 interaction task 1.', 'Can do A2 production task 1.', 'Can do A2 interaction task 1.', 'Can do A2 interaction task 2.')
    expect(screen.getByText('Suggested level: B1')).toBeTruthy()
    expect(screen.getByText('You can already do most of A2, so B1 is your next step.')).toBeTruthy()
    expect(levelRadio('B1').checked).toBe(true)
    expect((screen.getByLabelText(/^Norskprøven A2–B1/) as HTMLInputElement).checked).toBe(true)
  })

  it('lets the learner overrule the suggestion and saves level, exam goal and languages, then goes home', async () => {
    serveNewLearner()
    onRequest('PATCH', '/api/v1/users/me', (request) => json(aProfile({ ...(request.body as object), preferences: aProfile().preferences })))
    renderWithProviders(<OnboardingForm />)
    await screen.findByLabelText('Can do A1 production task 1.')
    tick('Can do A1 production task 1.', 'Can do A1 interaction task 1.')
    expect(levelRadio('A2').checked).toBe(true)

    fireEvent.click(levelRadio('B1'))
    expect(screen.getByText('You chose B1; we suggested A2.')).toBeTruthy()
    fireEvent.click(screen.getByLabelText(/^No exam planned/))
    fireEvent.change(screen.getByLabelText('Native language'), { target: { value: 'ar' } })
    fireEvent.change(screen.getByLabelText('Explanation language'), { target: { value: 'ar' } })
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'Europe/Berlin' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save and start' }))

    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/home'))
    const patch = requests.find((request) => request.method === 'PATCH')
    expect(patch?.body).toEqual({ targetLevel: 'B1', examGoal: null, nativeLanguage: 'ar', timeZone: 'Europe/Berlin', preferences: { explanationLanguage: 'ar' }, onboarded: true })
  })

  it('accepts a native language typed as a code when it is not in the list', async () => {
    serveNewLearner()
    onRequest('PATCH', '/api/v1/users/me', (request) => json(aProfile(request.body as object)))
    renderWithProviders(<OnboardingForm />)
    await screen.findByLabelText('Can do A1 production task 1.')
    fireEvent.change(screen.getByLabelText('Native language'), { target: { value: '__other' } })
    fireEvent.change(screen.getByLabelText('Native language: language code'), { target: { value: 'ckb' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save and start' }))
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/home'))
    expect(requests.find((request) => request.method === 'PATCH')?.body).toMatchObject({ nativeLanguage: 'ckb', targetLevel: 'A1', examGoal: 'A1-A2' })
  })

  it('shows a field error from the server beside its field and stays on the page', async () => {
    serveNewLearner()
    onRequest('PATCH', '/api/v1/users/me', problem(400, 'Bad Request', { detail: 'Invalid body', errors: [{ path: 'body.timeZone', message: 'must be an IANA time zone such as "Europe/Oslo"' }] }))
    renderWithProviders(<OnboardingForm />)
    await screen.findByLabelText('Can do A1 production task 1.')
    fireEvent.click(screen.getByRole('button', { name: 'Save and start' }))
    const zone = screen.getByLabelText('Time zone')
    await waitFor(() => expect(zone.getAttribute('aria-invalid')).toBe('true'))
    expect(screen.getByText('must be an IANA time zone such as "Europe/Oslo"')).toBeTruthy()
    expect(navigation.router.replace).not.toHaveBeenCalled()
  })

  it('still lets the learner choose a level when the descriptors cannot be loaded', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile({ targetLevel: null })))
    onRequest('GET', '/api/v1/curriculum/objectives', problem(500, 'Internal Server Error'))
    onRequest('PATCH', '/api/v1/users/me', (request) => json(aProfile(request.body as object)))
    renderWithProviders(<OnboardingForm />)
    expect(await screen.findByText(/The questions could not be loaded/)).toBeTruthy()
    fireEvent.click(levelRadio('B2'))
    fireEvent.click(screen.getByRole('button', { name: 'Save and start' }))
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/home'))
    expect(requests.find((request) => request.method === 'PATCH')?.body).toMatchObject({ targetLevel: 'B2', examGoal: 'B1-B2' })
  })
})

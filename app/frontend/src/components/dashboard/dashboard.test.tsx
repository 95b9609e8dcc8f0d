import { aLesson, aProfile, aProgress, aSitting, aTutorSession, json, onRequest, problem, renderWithProviders } from '../app-shell/test-support'
import { fireEvent, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { Dashboard } from './dashboard'

vi.mock('next/navigation', () => import('../app-shell/test-support').then((module) => module.navigationMock))

function card(title: string) {
  return screen.getByRole('region', { name: title })
}

function serveNewLearner() {
  onRequest('GET', '/api/v1/users/me', json(aProfile({ examGoal: null })))
  onRequest('GET', '/api/v1/progress', json(aProgress()))
  onRequest('GET', '/api/v1/lessons/recommended', json({ items: [{ lesson: aLesson(), reason: 'Next A1 lesson you have not completed (your target level).' }] }))
  onRequest('GET', '/api/v1/sessions/default', json(aTutorSession()))
}

describe('home dashboard', () => {
  it('greets a brand-new learner and shows an honest empty state in every card', async () => {
    serveNewLearner()
    renderWithProviders(<Dashboard />)
    expect(await screen.findByRole('heading', { level: 1, name: 'Hi, Kari' })).toBeTruthy()
    expect(await screen.findByText('Hei! Jeg heter Avaaz. Hva heter du?')).toBeTruthy()
    expect(screen.getByText('Hi! My name is Avaaz. What is your name?')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Start talking' }).getAttribute('href')).toBe('/talk')

    expect(await within(card('Streak')).findByText(/No streak yet/)).toBeTruthy()
    expect(within(card('Practice time')).getByText('minutes in total')).toBeTruthy()
    expect(within(card('Practice time')).getByText(/after your first conversation or lesson/)).toBeTruthy()
    const level = card('Level estimate')
    expect(within(level).getByText('Not assessed yet')).toBeTruthy()
    expect(within(level).getByText('not assessed yet: take a mock exam for an estimate')).toBeTruthy()
    expect(within(level).getByText('A2')).toBeTruthy()
    expect(within(level).getByText('None')).toBeTruthy()

    const next = card('Next lesson')
    expect((await within(next).findByRole('link', { name: 'Greetings and names' })).getAttribute('href')).toBe('/lessons/a1-greetings-and-names')
    expect(within(next).getByText('Next A1 lesson you have not completed (your target level).')).toBeTruthy()
    expect(within(card('Your last conversation')).getByText(/No conversations yet/)).toBeTruthy()
  })

  it('shows streak, minutes, level estimate, recommendations and the last summary of a returning learner', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile({ examGoal: 'A2-B1', examDate: '2025-06-12' })))
    onRequest(
      'GET',
      '/api/v1/progress',
      json(aProgress({ streakDays: 4, activeDays: 9, minutes: 37.6, completedLessons: { A1: 2, A2: 1, B1: 0, B2: 0 }, lessonsInProgress: 1, cefrEstimate: { level: 'A2', source: 'latest mock exam', assessedAt: '2025-03-08T10:00:00.000Z' } })),
    )
    onRequest(
      'GET',
      '/api/v1/lessons/recommended',
      json({
        items: [
          { lesson: aLesson({ slug: null, id: '9a8b7c6d-1111-4222-8333-444455556666', level: 'A2', title: 'At the doctor', estimatedMinutes: 15 }), reason: 'You started this lesson; pick up where you left off.' },
          { lesson: aLesson({ id: 'b1', slug: 'a2-housing', level: 'A2', title: 'Finding a flat' }), reason: 'Prepares a task of the A2-B1 oral test, your exam goal.' },
        ],
      }),
    )
    onRequest(
      'GET',
      '/api/v1/sessions/default',
      json(aTutorSession({ greeting: { kind: 'returning', text: 'Hei igjen, Kari!', translation: null, recap: null }, lastSitting: aSitting() })),
    )
    renderWithProviders(<Dashboard />)

    const streak = await screen.findByRole('region', { name: 'Streak' })
    expect(await within(streak).findByText('4')).toBeTruthy()
    expect(within(streak).getByText('days in a row')).toBeTruthy()
    expect(within(streak).getByText('You have practised on 9 days in all.')).toBeTruthy()
    expect(within(card('Practice time')).getByText('38')).toBeTruthy()
    expect(within(card('Practice time')).getByText('3 lessons completed, 1 in progress.')).toBeTruthy()
    const level = card('Level estimate')
    expect(within(level).getByText('From your latest mock exam, Mar 8, 2025')).toBeTruthy()
    expect(within(level).getByText('Norskprøven A2–B1 on Jun 12, 2025')).toBeTruthy()

    const next = card('Next lesson')
    expect((await within(next).findByRole('link', { name: 'At the doctor' })).getAttribute('href')).toBe('/lessons/9a8b7c6d-1111-4222-8333-444455556666')
    expect(within(next).getByText('Level A2 · about 15 min')).toBeTruthy()
    expect(within(next).getByText('You started this lesson; pick up where you left off.')).toBeTruthy()
    expect(within(next).getByRole('link', { name: 'Finding a flat' }).getAttribute('href')).toBe('/lessons/a2-housing')

    const last = card('Your last conversation')
    expect(await within(last).findByText('You introduced yourself clearly.')).toBeTruthy()
    expect(within(last).getByText('Word order after "i dag" (V2).')).toBeTruthy()
    expect(within(last).getByText('Practise sentences that start with a time expression.')).toBeTruthy()
    expect(within(last).getByText(/12 minutes · 340 words spoken/)).toBeTruthy()
    expect(within(last).getByText('1 correction in this conversation.')).toBeTruthy()
    expect(screen.getByText('Hei igjen, Kari!')).toBeTruthy()
  })

  it('says the summary is being written while it is pending, and why there is none when nothing was said', async () => {
    serveNewLearner()
    onRequest('GET', '/api/v1/sessions/default', json(aTutorSession({ lastSitting: aSitting({ summaryStatus: 'pending', summary: null }) })))
    const { unmount } = renderWithProviders(<Dashboard />)
    expect(await screen.findByText(/Your tutor is writing the summary/)).toBeTruthy()
    unmount()

    onRequest('GET', '/api/v1/sessions/default', json(aTutorSession({ lastSitting: aSitting({ summaryStatus: 'unavailable', summary: null }) })))
    renderWithProviders(<Dashboard />)
    expect(await screen.findByText(/you did not say anything in this conversation/)).toBeTruthy()
  })

  it('offers a resumed lesson in the call to talk', async () => {
    serveNewLearner()
    onRequest(
      'GET',
      '/api/v1/sessions/default',
      json(aTutorSession({ mode: 'lesson', lesson: { lesson: aLesson(), step: { position: 1, total: 4, tutorPrompt: 'Hva heter du?', pictureSlug: null } } })),
    )
    renderWithProviders(<Dashboard />)
    expect(await screen.findByText('Lesson in progress: Greetings and names, step 2 of 4.')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Continue talking' }).getAttribute('href')).toBe('/talk')
  })

  it('keeps the other cards and "Start talking" when one request fails, and retries that one', async () => {
    serveNewLearner()
    onRequest('GET', '/api/v1/progress', problem(500, 'Internal Server Error', { requestId: 'req-progress' }))
    renderWithProviders(<Dashboard />)
    const streak = await screen.findByRole('region', { name: 'Streak' })
    expect(await within(streak).findByText('This could not be loaded.')).toBeTruthy()
    expect(within(streak).getByText('Reference: req-progress')).toBeTruthy()
    expect(await within(card('Next lesson')).findByRole('link', { name: 'Greetings and names' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Start talking' })).toBeTruthy()

    onRequest('GET', '/api/v1/progress', json(aProgress({ streakDays: 2, activeDays: 2 })))
    fireEvent.click(within(streak).getByRole('button', { name: 'Try again' }))
    expect(await within(streak).findByText('2')).toBeTruthy()
  })

  it('points to all lessons when there is nothing to recommend', async () => {
    serveNewLearner()
    onRequest('GET', '/api/v1/lessons/recommended', json({ items: [] }))
    renderWithProviders(<Dashboard />)
    const next = await screen.findByRole('region', { name: 'Next lesson' })
    expect(await within(next).findByText('There is no lesson to suggest right now.')).toBeTruthy()
    expect(within(next).getByRole('link', { name: 'Browse all lessons' }).getAttribute('href')).toBe('/lessons')
  })
})

import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { components } from '@/lib/api/schema'
import { fakeApi, json, makeLesson, makeMe, problem, renderWithProviders, type Call } from '@/components/talk/testing'
import { LessonDetailView } from './lesson-detail'
import { LessonsCatalogue } from './lessons-catalogue'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/lessons', useSearchParams: () => new URLSearchParams() }))

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
})

const byLevel = {
  A1: [makeLesson()],
  A2: [
    makeLesson({ id: 'a2000000-0000-4000-8000-000000000001', slug: 'a2-at-the-doctor', level: 'A2', title: 'Hos legen', topic: 'health', estimatedMinutes: 15, type: 'scenario', examTags: ['role_play', 'A2-B1'] }),
    makeLesson({ id: 'a2000000-0000-4000-8000-000000000002', slug: 'a2-weekend', level: 'A2', title: 'Helgen min', topic: 'leisure', estimatedMinutes: 12 }),
  ],
  B1: [makeLesson({ id: 'b1000000-0000-4000-8000-000000000001', slug: 'b1-opinions', level: 'B1', title: 'Hva mener du?', topic: 'news_and_opinions', examTags: ['opinion', 'B1-B2'] })],
  B2: [],
} as const

function catalogueRoutes(targetLevel: 'A1' | 'A2' | 'B1' | 'B2' | null = 'A2') {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(makeMe({ targetLevel })),
    'GET /api/v1/lessons/recommended': () =>
      json({
        items: [
          { lesson: byLevel.A2[0], reason: 'You started this lesson; pick up where you left off.' },
          { lesson: byLevel.A2[1], reason: 'Next A2 lesson you have not completed (your target level).' },
        ],
      }),
    'GET /api/v1/lessons': (call) => {
      const items = byLevel[call.query.get('level') as keyof typeof byLevel] ?? []
      return json({ items, total: items.length, page: 1, pageSize: Number(call.query.get('pageSize')) })
    },
    'GET /api/v1/progress': () =>
      json({ completedLessons: { A1: 1, A2: 1, B1: 0, B2: 0 }, lessonsInProgress: 1, minutes: 30, streakDays: 2, activeDays: 3, cefrEstimate: { level: null, source: 'none', assessedAt: null } }),
  })
}

const levelsRequested = (calls: Call[]) => calls.filter((call) => call.path === '/api/v1/lessons').map((call) => call.query.get('level'))

describe('lessons catalogue', () => {
  it('puts the recommendations and their reasons first, then opens the learner’s target level', async () => {
    const calls = catalogueRoutes('A2')
    renderWithProviders(<LessonsCatalogue initialLevel={null} />)

    const recommended = await screen.findByRole('region', { name: 'Recommended for you' })
    expect(await within(recommended).findByText('You started this lesson; pick up where you left off.')).toBeTruthy()
    expect(within(recommended).getByText('Next A2 lesson you have not completed (your target level).')).toBeTruthy()

    const panel = screen.getByRole('tabpanel')
    expect(await within(panel).findByRole('link', { name: 'Hos legen' })).toBeTruthy()
    expect(screen.getByRole('tab', { name: 'A2' }).getAttribute('aria-selected')).toBe('true')
    expect(levelsRequested(calls)).toEqual(['A2'])
    expect(within(panel).getByText('A2 · Scenario · Health · 15 min')).toBeTruthy()
    expect(within(panel).getByText('Role-play')).toBeTruthy()
    expect(await within(panel).findByText(/You have completed 1 of 2 lessons at A2/)).toBeTruthy()
    const start = within(panel).getAllByRole('link', { name: /Practise with the tutor/ })[0]!
    expect(start.getAttribute('href')).toBe('/talk?lesson=a2-at-the-doctor')
  })

  it('shows another level when its tab is chosen, by click or arrow key', async () => {
    const calls = catalogueRoutes('A2')
    renderWithProviders(<LessonsCatalogue initialLevel={null} />)
    await within(screen.getByRole('tabpanel')).findByText('Hos legen')

    fireEvent.click(screen.getByRole('tab', { name: 'B1' }))
    expect(await within(screen.getByRole('tabpanel')).findByText('Hva mener du?')).toBeTruthy()
    expect(window.location.search).toBe('?level=B1')

    fireEvent.keyDown(screen.getByRole('tab', { name: 'B1' }), { key: 'ArrowRight' })
    expect(await within(screen.getByRole('tabpanel')).findByText('There are no lessons at B2 yet.')).toBeTruthy()
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'B2' }))
    expect(levelsRequested(calls)).toEqual(['A2', 'B1', 'B2'])
  })

  it('opens the level of the address rather than the target level', async () => {
    const calls = catalogueRoutes('A2')
    renderWithProviders(<LessonsCatalogue initialLevel="A1" />)
    expect(await within(screen.getByRole('tabpanel')).findByText('Hei! Hva heter du?')).toBeTruthy()
    expect(levelsRequested(calls)).toEqual(['A1'])
  })
})

type LessonDetail = components['schemas']['LessonDetail']

function detail(progress: LessonDetail['progress']): LessonDetail {
  const step = (position: number, tutorPrompt: string, pictureSlug: string | null = null) => ({
    position,
    tutorPrompt,
    expectedLearnerMove: 'Answers with a whole sentence.',
    hints: ['Jeg heter …'],
    followUpQuestions: [],
    preparationSeconds: 0,
    speakingSeconds: 20,
    mode: 'individual' as const,
    pictureSlug,
  })
  return {
    ...makeLesson(),
    context: 'Tutor-facing instructions.',
    goals: ['Greet someone and say goodbye'],
    vocabulary: [{ term: 'et navn', gloss: 'a name' }],
    phrases: [{ text: 'Hyggelig å hilse på deg!', gloss: 'Nice to meet you!' }],
    objectives: [{ id: 'o1000000-0000-4000-8000-000000000001', slug: 'a1-production-1', level: 'A1', skill: 'production', descriptorEn: 'Can say their name.', descriptorNb: 'Kan si hva de heter.' }],
    scenarios: [
      { id: 's1000000-0000-4000-8000-000000000001', kind: 'conversation', title: 'Første dag', description: null, mode: 'individual', level: 'A1', steps: [step(0, 'Hva heter du?'), step(1, 'Hvor kommer du fra?')] },
      { id: 's1000000-0000-4000-8000-000000000002', kind: 'picture_description', title: 'Bildet', description: null, mode: 'individual', level: 'A1', steps: [step(0, 'Hva ser du på bildet?', 'kitchen')] },
    ],
    progress,
  }
}

function detailRoutes(progress: LessonDetail['progress']) {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(makeMe()),
    'GET /api/v1/lessons/a1-greetings-and-names': () => json(detail(progress)),
    'GET /api/v1/curriculum/pictures': () =>
      json({ items: [{ slug: 'kitchen', url: '/api/v1/curriculum/pictures/kitchen.svg', titleNb: 'Kjøkkenet', titleEn: 'The kitchen', altEn: 'A kitchen', altNb: 'Et kjøkken', levels: ['A1'], vocabulary: [] }] }),
  })
}

describe('lesson detail', () => {
  it('shows goals, objectives, words, phrases and every step’s prompt, and starts the lesson on the talk page', async () => {
    detailRoutes(null)
    renderWithProviders(<LessonDetailView idOrSlug="a1-greetings-and-names" />)

    expect(await screen.findByRole('heading', { level: 1, name: 'Hei! Hva heter du?' })).toBeTruthy()
    expect(screen.getByText('Greet someone and say goodbye')).toBeTruthy()
    expect(screen.getByText('Can say their name.')).toBeTruthy()
    expect(screen.getByText('et navn')).toBeTruthy()
    expect(screen.getByText('Hyggelig å hilse på deg!')).toBeTruthy()
    expect(screen.getByText('Hva heter du?')).toBeTruthy()
    expect(screen.getByText('Hva ser du på bildet?')).toBeTruthy()
    expect(screen.getByText('The 3 steps')).toBeTruthy()
    expect(screen.getByText('Not started yet.')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Start the lesson' }).getAttribute('href')).toBe('/talk?lesson=a1-greetings-and-names')
    // Steps are numbered across the lesson's scenarios, as the tutor counts them.
    expect(screen.getByRole('link', { name: 'Practise from step 3' }).getAttribute('href')).toBe('/talk?lesson=a1-greetings-and-names&step=2')
    expect((await screen.findByRole('img', { name: 'The kitchen' })).getAttribute('src')).toBe('/api/v1/curriculum/pictures/kitchen.svg')
  })

  it('shows where the learner is in a started lesson and continues from there', async () => {
    detailRoutes({ status: 'in_progress', currentStepPosition: 1, minutesSpent: 6.4, completedCount: 0, startedAt: '2026-03-01T10:00:00.000Z', completedAt: null })
    renderWithProviders(<LessonDetailView idOrSlug="a1-greetings-and-names" />)
    expect(await screen.findByText('In progress: step 2 of 3.')).toBeTruthy()
    expect(screen.getByText('6 minutes practised.')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Continue where you left off' }).getAttribute('href')).toBe('/talk?lesson=a1-greetings-and-names')
  })

  it('repeats a completed lesson from its first step', async () => {
    detailRoutes({ status: 'completed', currentStepPosition: null, minutesSpent: 12, completedCount: 2, startedAt: '2026-03-01T10:00:00.000Z', completedAt: '2026-03-02T10:00:00.000Z' })
    renderWithProviders(<LessonDetailView idOrSlug="a1-greetings-and-names" />)
    expect(await screen.findByText(/Completed 2 times, last on Monday, March 2, 2026\./)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Practise it again' }).getAttribute('href')).toBe('/talk?lesson=a1-greetings-and-names&step=0')
  })

  it('says when a lesson does not exist', async () => {
    fakeApi(fetchMock, { 'GET /api/v1/lessons/nope': () => problem(404, 'No lesson nope.') })
    renderWithProviders(<LessonDetailView idOrSlug="nope" />)
    expect(await screen.findByText(/This lesson does not exist/)).toBeTruthy()
    await waitFor(() => expect(screen.getByRole('link', { name: 'All lessons' }).getAttribute('href')).toBe('/lessons'))
  })
})

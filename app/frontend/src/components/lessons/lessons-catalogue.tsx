'use client'
import { useQuery } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { useId, useRef, useState, type KeyboardEvent } from 'react'
import { Alert } from '@/components/ui/alert'
import { api, unwrap } from '@/lib/api/client'
import { queryKeys, useMe } from '@/lib/queries'
import { LessonCard } from './lesson-card'
import { levels, type Level } from './levels'


/** Every lesson of a level fits one page (the pack has 12–15 per level; the API allows 100). */
const PAGE_SIZE = 100

/** The curriculum: recommended next lessons first, then every lesson by level. */
export function LessonsCatalogue({ initialLevel }: { initialLevel: Level | null }) {
  const t = useTranslations('lessons')
  const me = useMe()
  const [chosen, setChosen] = useState<Level | null>(initialLevel)
  // Until the learner picks a tab: their target level, once the profile is known.
  const level: Level | null = chosen ?? (me.isPending ? null : (me.data?.targetLevel ?? 'A1'))

  function choose(next: Level) {
    setChosen(next)
    // Shareable and kept on reload, without a server round trip.
    window.history.replaceState(null, '', `?level=${next}`)
  }

  return (
    <div className="mx-auto flex w-full max-w-5xl flex-col gap-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{t('title')}</h1>
        <p className="mt-1 text-slate-700 dark:text-slate-300">{t('lead')}</p>
      </header>
      <Recommendations />
      <section aria-labelledby="by-level">
        <h2 id="by-level" className="text-xl font-semibold">
          {t('byLevel')}
        </h2>
        <LevelTabs level={level} onChoose={choose} />
      </section>
    </div>
  )
}

function Recommendations() {
  const t = useTranslations('lessons.recommended')
  const recommended = useQuery({
    queryKey: [...queryKeys.recommended, { limit: 3 }],
    queryFn: () => unwrap(api.GET('/api/v1/lessons/recommended', { params: { query: { limit: 3 } } })),
  })
  return (
    <section aria-labelledby="recommended" className="flex flex-col gap-3">
      <h2 id="recommended" className="text-xl font-semibold">
        {t('title')}
      </h2>
      {recommended.isPending ? (
        <p className="min-h-24 text-slate-600 dark:text-slate-400">{t('loading')}</p>
      ) : recommended.isError ? (
        <Alert tone="error">{t('error')}</Alert>
      ) : recommended.data.items.length === 0 ? (
        <p className="text-slate-700 dark:text-slate-300">{t('none')}</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {recommended.data.items.map(({ lesson, reason }) => (
            <li key={lesson.id}>
              <LessonCard
                lesson={lesson}
                extra={
                  <p className="rounded-lg bg-blue-50 px-3 py-2 text-sm text-blue-950 dark:bg-blue-950 dark:text-blue-100">
                    <span className="font-medium">{t('why')} </span>
                    {/* Reasons are written by the backend, in English. */}
                    <span lang="en">{reason}</span>
                  </p>
                }
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function LevelTabs({ level, onChoose }: { level: Level | null; onChoose(level: Level): void }) {
  const t = useTranslations('lessons')
  const id = useId()
  const tabs = useRef<Array<HTMLButtonElement | null>>([])

  // Arrow keys move between the tabs (and select them), as the ARIA tabs pattern expects.
  function onKeyDown(event: KeyboardEvent, index: number) {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: levels.length - 1 }
    const target = moves[event.key]
    if (target === undefined) return
    event.preventDefault()
    const next = (target + levels.length) % levels.length
    onChoose(levels[next]!)
    tabs.current[next]?.focus()
  }

  return (
    <div className="mt-3">
      <div role="tablist" aria-label={t('levels')} className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
        {levels.map((tab, index) => {
          const selected = tab === level
          return (
            <button
              key={tab}
              ref={(element) => {
                tabs.current[index] = element
              }}
              id={`${id}-tab-${tab}`}
              type="button"
              role="tab"
              aria-selected={selected}
              aria-controls={`${id}-panel`}
              tabIndex={selected || (level === null && index === 0) ? 0 : -1}
              onClick={() => onChoose(tab)}
              onKeyDown={(event) => onKeyDown(event, index)}
              className={`-mb-px min-h-11 min-w-14 border-b-2 px-4 py-2 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-blue-700 ${
                selected ? 'border-blue-700 text-blue-800 dark:border-blue-400 dark:text-blue-300' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
              }`}
            >
              {tab}
            </button>
          )
        })}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={level ? `${id}-tab-${level}` : undefined} tabIndex={0} className="pt-4 focus-visible:outline-none">
        {level ? <LevelLessons level={level} /> : <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>}
      </div>
    </div>
  )
}

function LevelLessons({ level }: { level: Level }) {
  const t = useTranslations('lessons')
  const filters = { level, pageSize: PAGE_SIZE }
  const lessons = useQuery({
    queryKey: queryKeys.lessons(filters),
    queryFn: () => unwrap(api.GET('/api/v1/lessons', { params: { query: filters } })),
  })
  const progress = useQuery({ queryKey: queryKeys.progress, queryFn: () => unwrap(api.GET('/api/v1/progress')) })

  if (lessons.isPending) return <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
  if (lessons.isError) {
    return (
      <Alert tone="error">
        {t('error')}{' '}
        <button type="button" className="font-medium underline underline-offset-2" onClick={() => void lessons.refetch()}>
          {t('tryAgain')}
        </button>
      </Alert>
    )
  }
  const { items, total } = lessons.data
  const completed = progress.data?.completedLessons[level]
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        {completed === undefined ? t('levelCount', { count: total, level }) : t('levelProgress', { completed, count: total, level })}
      </p>
      {items.length === 0 ? (
        <p>{t('empty', { level })}</p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {items.map((lesson) => (
            <li key={lesson.id}>
              <LessonCard lesson={lesson} />
            </li>
          ))}
        </ul>
      )}
      {total > items.length ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('more', { shown: items.length, count: total })}</p> : null}
    </div>
  )
}

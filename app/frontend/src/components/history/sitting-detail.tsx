'use client'
import { useQuery } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { Alert } from '@/components/ui/alert'
import { api, ApiError, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys } from '@/lib/queries'
import { SittingActivity, SummaryStatus, useLessonTitles, type Sitting } from './sittings-list'
import { sittingMinutes, useDates, useMinutes } from './use-dates'

type Summary = components['schemas']['SittingSummary']

/** While the summary is being written in the background, look again every few seconds. */
const SUMMARY_POLL_MS = 4000

export function SittingDetail({ sittingId }: { sittingId: string }) {
  const t = useTranslations('sittings')
  const sitting = useQuery({
    queryKey: queryKeys.sitting(sittingId),
    queryFn: () => unwrap(api.GET('/api/v1/sessions/default/sittings/{sittingId}', { params: { path: { sittingId } } })),
    refetchInterval: (query) => (query.state.data && query.state.data.endedAt !== null && query.state.data.summaryStatus === 'pending' ? SUMMARY_POLL_MS : false),
  })

  if (sitting.isPending) return <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
  if (sitting.isError) {
    const missing = sitting.error instanceof ApiError && (sitting.error.problem.status === 404 || sitting.error.problem.status === 400)
    return (
      <div className="mx-auto flex max-w-3xl flex-col gap-4">
        <Alert tone="error">{missing ? t('detail.notFound') : t('error')}</Alert>
        <Link href="/history" className="font-medium underline underline-offset-2">
          {t('detail.back')}
        </Link>
      </div>
    )
  }
  return <SittingView sitting={sitting.data} />
}

function SittingView({ sitting }: { sitting: Sitting }) {
  const t = useTranslations('sittings.detail')
  const dates = useDates()
  const minutes = useMinutes()
  const titles = useLessonTitles([sitting.lessonId, ...(sitting.summary?.recommendedLessons ?? [])])
  const lessonTitle = sitting.lessonId ? titles.get(sitting.lessonId) : undefined

  return (
    <article className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <p>
        <Link href="/history" className="text-sm font-medium underline underline-offset-2">
          {t('back')}
        </Link>
      </p>
      <header className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">{t('title', { date: dates.date(sitting.startedAt) })}</h1>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">{t('time')}</dt>
          <dd>
            <time dateTime={sitting.startedAt}>{dates.time(sitting.startedAt)}</time>
            {sitting.endedAt ? (
              <>
                {' – '}
                <time dateTime={sitting.endedAt}>{dates.time(sitting.endedAt)}</time>
              </>
            ) : (
              ` · ${t('ongoing')}`
            )}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">{t('length')}</dt>
          <dd>{sitting.endedAt ? minutes(sittingMinutes(sitting)) : t('ongoing')}</dd>
          <dt className="text-slate-600 dark:text-slate-400">{t('activity')}</dt>
          <dd>
            {sitting.mode === 'lesson' && sitting.lessonId ? (
              <Link href={`/lessons/${sitting.lessonId}`} className="underline underline-offset-2">
                <SittingActivity sitting={sitting} lessonTitle={lessonTitle} />
              </Link>
            ) : (
              <SittingActivity sitting={sitting} lessonTitle={lessonTitle} />
            )}
          </dd>
          {sitting.endReason ? (
            <>
              <dt className="text-slate-600 dark:text-slate-400">{t('ended')}</dt>
              <dd>{t(`endReason.${sitting.endReason}`)}</dd>
            </>
          ) : null}
        </dl>
        <p>
          <SummaryStatus sitting={sitting} />
        </p>
      </header>

      {sitting.endedAt === null ? (
        <Alert>{t('openNote')}</Alert>
      ) : sitting.summaryStatus === 'pending' ? (
        <Alert>{t('pending')}</Alert>
      ) : sitting.summaryStatus === 'failed' ? (
        <Alert tone="error">{t('failed')}</Alert>
      ) : sitting.summaryStatus === 'unavailable' ? (
        <Alert>{t('unavailable')}</Alert>
      ) : null}

      {sitting.summary ? <SummaryView summary={sitting.summary} titles={titles} /> : null}
      <Metrics sitting={sitting} />
    </article>
  )
}

function SummaryView({ summary, titles }: { summary: Summary; titles: Map<string, string> }) {
  const t = useTranslations('sittings.summary')
  const author = summary.writtenBy ?? 'unknown'
  return (
    <section aria-labelledby="summary" className="flex flex-col gap-5">
      <div>
        <h2 id="summary" className="text-xl font-semibold">
          {t('title')}
        </h2>
        <p className={`mt-2 rounded-lg border px-3 py-2 text-sm ${author === 'llm' ? 'border-violet-300 bg-violet-50 text-violet-950 dark:border-violet-800 dark:bg-violet-950 dark:text-violet-100' : 'border-slate-300 bg-slate-50 text-slate-800 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200'}`}>
          <span className="font-medium">{t(`writtenBy.${author}.label`)}</span> {t(`writtenBy.${author}.body`)}
        </p>
      </div>
      <Points heading={t('strengths')} items={summary.strengths} empty={t('noStrengths')} />
      <Points heading={t('weaknesses')} items={summary.weaknesses} empty={t('noWeaknesses')} />
      <section aria-labelledby="corrections">
        <h3 id="corrections" className="font-semibold">
          {t('corrections')}
        </h3>
        {summary.corrections.length === 0 ? (
          <p className="mt-1 text-slate-700 dark:text-slate-300">{t('noCorrections')}</p>
        ) : (
          <ul className="mt-2 flex flex-col gap-3">
            {summary.corrections.map((correction, index) => (
              <li key={index} className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
                <p className="break-words">
                  <span className="sr-only">{t('said')}: </span>
                  <del lang="nb">{correction.original}</del>
                  <span aria-hidden> → </span>
                  <span className="sr-only">, {t('better')}: </span>
                  <ins lang="nb" className="font-medium no-underline">
                    {correction.corrected}
                  </ins>
                </p>
                <p lang="en" className="mt-0.5">
                  {correction.explanation}
                </p>
                {correction.source ? <p className="mt-0.5 text-xs opacity-80">{t(`correctionSource.${correction.source}`)}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <Points heading={t('nextSteps')} items={summary.nextSteps} empty={t('noNextSteps')} />
      {summary.recommendedLessons && summary.recommendedLessons.length > 0 ? (
        <section aria-labelledby="recommended-lessons">
          <h3 id="recommended-lessons" className="font-semibold">
            {t('recommendedLessons')}
          </h3>
          <ul className="mt-1 flex flex-col gap-1">
            {summary.recommendedLessons.map((slug) => (
              <li key={slug}>
                <Link href={`/lessons/${encodeURIComponent(slug)}`} className="underline underline-offset-2">
                  <span lang="nb">{titles.get(slug) ?? slug}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  )
}

function Points({ heading, items, empty }: { heading: string; items: string[]; empty: string }) {
  return (
    <section>
      <h3 className="font-semibold">{heading}</h3>
      {items.length === 0 ? (
        <p className="mt-1 text-slate-700 dark:text-slate-300">{empty}</p>
      ) : (
        // The backend writes summaries in English.
        <ul lang="en" className="mt-1 list-disc space-y-1 pl-5">
          {items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      )}
    </section>
  )
}

const knownMetrics = ['minutes', 'learnerTurns', 'tutorTurns', 'learnerWords', 'learnerSpeakingMs'] as const

function Metrics({ sitting }: { sitting: Sitting }) {
  const t = useTranslations('sittings.metrics')
  const minutes = useMinutes()
  const metrics = sitting.metrics
  const shown = knownMetrics.filter((key) => typeof metrics[key] === 'number' && !(key === 'learnerSpeakingMs' && metrics[key] === 0))
  if (shown.length === 0) return null
  const value = (key: (typeof knownMetrics)[number], raw: number) =>
    key === 'minutes' ? minutes(raw) : key === 'learnerSpeakingMs' ? t('seconds', { count: Math.round(raw / 1000) }) : String(raw)
  return (
    <section aria-labelledby="metrics">
      <h2 id="metrics" className="text-xl font-semibold">
        {t('title')}
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('lead')}</p>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
        {shown.map((key) => (
          <div key={key} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <dt className="text-sm text-slate-600 dark:text-slate-400">{t(key)}</dt>
            <dd className="text-lg font-semibold">{value(key, metrics[key]!)}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}

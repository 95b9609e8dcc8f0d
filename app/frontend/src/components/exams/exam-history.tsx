'use client'
import type { UseQueryResult } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useDates } from '@/components/history/use-dates'
import { Alert } from '@/components/ui/alert'
import { levelScale, useExamLabels } from './labels'
import { levelsOf, testName, type EstimatedLevel, type ExamAttemptSummary } from './queries'

type Attempts = UseQueryResult<{ items: ExamAttemptSummary[] }, Error>

/** What an attempt came to, in a few words: "Reached A2", "Below A1", "Being scored". */
export function useOutcomeShort() {
  const t = useTranslations('exams.history.outcome')
  const labels = useExamLabels()
  return (attempt: Pick<ExamAttemptSummary, 'status' | 'level' | 'result'>) => {
    if (attempt.status === 'in_progress') return t('inProgress')
    if (attempt.status === 'abandoned') return t('abandoned')
    const { state, estimatedLevel, outcome } = attempt.result
    if (state === 'pending') return t('pending')
    if (state === 'failed' || !estimatedLevel) return t('failed')
    if (outcome === 'below') return t('below', { level: levelsOf(attempt.level)[0] })
    return t('reached', { level: labels.level(estimatedLevel) })
  }
}

/** My mock exams, newest first, with the estimated levels over time. */
export function ExamHistory({ attempts }: { attempts: Attempts }) {
  const t = useTranslations('exams.history')
  const dates = useDates()
  const outcome = useOutcomeShort()
  const items = attempts.data?.items ?? []
  const scored = items.filter((attempt) => attempt.result.state === 'ready' && attempt.result.estimatedLevel).reverse()

  return (
    <section aria-labelledby="exam-history-heading" className="flex flex-col gap-4">
      <h2 id="exam-history-heading" className="text-xl font-semibold">
        {t('title')}
      </h2>
      {attempts.isPending ? (
        <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
      ) : attempts.isError ? (
        <Alert tone="error">
          {t('error')}{' '}
          <button type="button" className="font-medium underline underline-offset-2" onClick={() => void attempts.refetch()}>
            {t('tryAgain')}
          </button>
        </Alert>
      ) : items.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 p-4 text-slate-700 dark:border-slate-700 dark:text-slate-300">{t('empty')}</p>
      ) : (
        <>
          {scored.length > 0 ? <LevelTrend points={scored.map((attempt) => ({ level: attempt.result.estimatedLevel!, at: attempt.finishedAt ?? attempt.startedAt }))} /> : null}
          <ul className="flex flex-col gap-3">
            {items.map((attempt) => {
              const href = attempt.status === 'in_progress' ? `/exams/${attempt.id}` : attempt.status === 'abandoned' ? null : `/exams/${attempt.id}/result`
              const when = <time dateTime={attempt.startedAt}>{dates.dateTime(attempt.startedAt)}</time>
              return (
                <li key={attempt.id}>
                  <article className="flex flex-col gap-1 rounded-xl border border-slate-200 p-4 sm:flex-row sm:items-center sm:justify-between dark:border-slate-800">
                    <div className="min-w-0">
                      <h3 className="font-semibold">{t('test', { test: testName(attempt.level) })}</h3>
                      <p className="text-sm text-slate-700 dark:text-slate-300">
                        {when} · {outcome(attempt)}
                      </p>
                    </div>
                    {href ? (
                      <Link href={href} className="self-start text-sm font-medium underline underline-offset-2 sm:self-center">
                        {attempt.status === 'in_progress' ? t('continue') : t('seeResult')}
                        <span className="sr-only"> ({dates.dateTime(attempt.startedAt)})</span>
                      </Link>
                    ) : null}
                  </article>
                </li>
              )
            })}
          </ul>
        </>
      )}
    </section>
  )
}

const WIDTH = 320
const HEIGHT = 132
const LEFT = 60
const RIGHT = 12
const TOP = 12
const STEP = 26

/** The estimated levels of the scored attempts, oldest to newest, as a small line chart (plain SVG). */
export function LevelTrend({ points }: { points: Array<{ level: EstimatedLevel; at: string }> }) {
  const t = useTranslations('exams.history')
  const labels = useExamLabels()
  const dates = useDates()
  const y = (level: EstimatedLevel) => TOP + (levelScale.length - 1 - levelScale.indexOf(level)) * STEP
  const x = (index: number) => (points.length === 1 ? (LEFT + WIDTH - RIGHT) / 2 : LEFT + (index * (WIDTH - LEFT - RIGHT)) / (points.length - 1))
  const summary = points.map((point) => `${labels.level(point.level)} (${dates.date(point.at)})`).join(', ')
  return (
    <figure className="flex flex-col gap-1">
      <figcaption className="text-sm font-medium">{t('trend')}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('trendSummary', { levels: summary })} className="h-auto w-full max-w-md">
        {levelScale.map((level) => (
          <g key={level}>
            <line x1={LEFT - 4} x2={WIDTH - RIGHT} y1={y(level)} y2={y(level)} className="stroke-slate-200 dark:stroke-slate-700" strokeWidth={1} />
            <text x={LEFT - 8} y={y(level) + 4} textAnchor="end" className="fill-slate-600 text-[11px] dark:fill-slate-400">
              {labels.level(level)}
            </text>
          </g>
        ))}
        {points.length > 1 ? (
          <polyline
            points={points.map((point, index) => `${x(index)},${y(point.level)}`).join(' ')}
            fill="none"
            strokeWidth={2}
            strokeLinejoin="round"
            className="stroke-blue-700 dark:stroke-blue-300"
          />
        ) : null}
        {points.map((point, index) => (
          <circle key={index} cx={x(index)} cy={y(point.level)} r={4} className="fill-blue-700 dark:fill-blue-300" />
        ))}
      </svg>
    </figure>
  )
}

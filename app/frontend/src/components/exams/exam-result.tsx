'use client'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useEffect } from 'react'
import { Alert } from '@/components/ui/alert'
import { api, ApiError, unwrap } from '@/lib/api/client'
import { ExamLineView } from './exam-transcript'
import { levelScale, useExamLabels, useMeasureValue } from './labels'
import { examKeys, levelsOf, testName, type CriterionResult, type ExamResult, type ScoreEvidence } from './queries'

/** Scoring runs in a background job; the page asks again this often until the result is there. */
export const RESULT_POLL_MS = 3000

const linkButton =
  'inline-flex min-h-11 items-center justify-center rounded-lg px-4 py-2 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700'

/** A mock exam's result: the level reached as the test reports it, each criterion with its evidence, feedback, lessons, transcript. */
export function ExamResultView({ attemptId }: { attemptId: string }) {
  const t = useTranslations('exams.result')
  const queryClient = useQueryClient()
  const result = useQuery({
    queryKey: examKeys.result(attemptId),
    queryFn: () => unwrap(api.GET('/api/v1/exams/attempts/{id}/result', { params: { path: { id: attemptId } } })),
    // Never a partial result: while scoring runs there is nothing to show but that it runs.
    refetchInterval: (query) => (query.state.data?.state === 'pending' ? RESULT_POLL_MS : false),
  })
  const state = result.data?.state
  useEffect(() => {
    // The history on the exams page shows the result's state too.
    if (state && state !== 'pending') void queryClient.invalidateQueries({ queryKey: examKeys.attempts })
  }, [state, queryClient])

  if (result.isPending) return <p className="mx-auto w-full max-w-3xl text-slate-600 dark:text-slate-400">{t('loading')}</p>
  if (result.isError) {
    const missing = result.error instanceof ApiError && (result.error.problem.status === 404 || result.error.problem.status === 400)
    return (
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-4">
        <Alert tone="error">
          {missing ? (
            t('notFound')
          ) : (
            <>
              {t('error')}{' '}
              <button type="button" className="font-medium underline underline-offset-2" onClick={() => void result.refetch()}>
                {t('tryAgain')}
              </button>
            </>
          )}
        </Alert>
        <BackLink />
      </div>
    )
  }
  const data = result.data
  return (
    <article className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <BackLink />
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{t('title', { test: testName(data.level) })}</h1>
      </header>
      {data.state === 'pending' ? (
        <div role="status" className="flex items-center gap-3 rounded-xl border border-blue-300 bg-blue-50 p-4 text-blue-950 dark:border-blue-800 dark:bg-blue-950 dark:text-blue-50">
          <span aria-hidden className="size-5 shrink-0 animate-spin rounded-full border-2 border-current border-t-transparent" />
          <div>
            <p className="font-medium">{t('pending.title')}</p>
            <p className="text-sm">{t('pending.body')}</p>
          </div>
        </div>
      ) : data.state === 'failed' ? (
        <Alert tone="error">
          <p className="font-medium">{t('failed.title')}</p>
          <p className="mt-1">{t('failed.body')}</p>
          {data.sittingId ? (
            <p className="mt-2">
              <Link href={`/history/${data.sittingId}`} className="font-medium underline underline-offset-2">
                {t('sitting')}
              </Link>
            </p>
          ) : null}
        </Alert>
      ) : data.state === 'none' ? (
        <div className="flex flex-col gap-2">
          <p>{t('none')}</p>
          <Link href={`/exams/${data.attemptId}`} className="self-start font-medium underline underline-offset-2">
            {t('toExam')}
          </Link>
        </div>
      ) : (
        <ReadyResult result={data} />
      )}
    </article>
  )
}

function BackLink() {
  const t = useTranslations('exams.result')
  return (
    <p>
      <Link href="/exams" className="text-sm font-medium underline underline-offset-2">
        {t('back')}
      </Link>
    </p>
  )
}

function ReadyResult({ result }: { result: ExamResult }) {
  const t = useTranslations('exams.result')
  const labels = useExamLabels()
  const [lower] = levelsOf(result.level)
  const test = testName(result.level)
  const level = result.estimatedLevel
  const below = result.outcome === 'below' || !level
  const raters = result.raters.map((rater) => labels.rater(rater))

  return (
    <>
      <section aria-labelledby="result-level" className="flex flex-col gap-3 rounded-xl bg-slate-50 p-4 sm:flex-row sm:items-center sm:gap-5 dark:bg-slate-900">
        <p
          aria-hidden
          className={`flex min-h-20 min-w-20 shrink-0 items-center justify-center self-start rounded-2xl px-3 font-bold ${below ? 'bg-amber-100 text-xl text-amber-950 dark:bg-amber-900 dark:text-amber-50' : 'bg-blue-700 text-3xl text-white'}`}
        >
          {below ? t('belowBadge', { level: lower }) : labels.level(level)}
        </p>
        <div className="flex flex-col gap-1">
          <h2 id="result-level" className="text-xl font-semibold">
            {below ? t('outcome.below', { level: lower, test }) : t('outcome.reached', { level: labels.level(level), test })}
          </h2>
          {below && level && level !== 'below_A1' ? <p>{t('outcome.closest', { level: labels.level(level) })}</p> : null}
          {level && level !== 'below_A1' && !below ? <p className="text-slate-700 dark:text-slate-300">{t(`descriptors.${level}`)}</p> : null}
          {raters.length > 0 ? <p className="text-sm text-slate-700 dark:text-slate-300">{t('scoredBy', { raters: raters.join(', ') })}</p> : null}
        </div>
      </section>

      {result.feedback || result.strengths.length > 0 || result.weaknesses.length > 0 ? (
        <section aria-labelledby="result-feedback" className="flex flex-col gap-3">
          <h2 id="result-feedback" className="text-lg font-semibold">
            {t('feedback')}
          </h2>
          {result.feedback ? <p className="whitespace-pre-line">{result.feedback}</p> : null}
          <div className="grid gap-4 sm:grid-cols-2">
            {result.strengths.length > 0 ? (
              <div>
                <h3 className="font-medium">{t('strengths')}</h3>
                <ul className="mt-1 list-disc space-y-1 pl-5">
                  {result.strengths.map((item) => (
                    <li key={item}>{item}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            {result.weaknesses.length > 0 ? (
              <div>
                <h3 className="font-medium">{t('weaknesses')}</h3>
                <ul className="mt-1 list-disc space-y-1 pl-5">
                  {result.weaknesses.map((item) => (
                    <li key={item}>{item}</li>
                  ))}
                </ul>
              </div>
            ) : null}
          </div>
        </section>
      ) : null}

      {result.overall.length > 0 ? (
        <section aria-labelledby="result-criteria" className="flex flex-col gap-3">
          <h2 id="result-criteria" className="text-lg font-semibold">
            {t('criteria')}
          </h2>
          <p className="text-sm text-slate-700 dark:text-slate-300">{t('criteriaLead')}</p>
          <ul className="flex flex-col gap-3">
            {result.overall.map((criterion) => (
              <li key={criterion.criterion}>
                <CriterionView criterion={criterion} headingLevel="h3" />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {result.recommendedLessons.length > 0 ? (
        <section aria-labelledby="result-lessons" className="flex flex-col gap-3">
          <h2 id="result-lessons" className="text-lg font-semibold">
            {t('lessons')}
          </h2>
          <ul className="flex flex-col gap-2">
            {result.recommendedLessons.map((lesson) => (
              <li key={lesson.slug}>
                <Link href={`/lessons/${lesson.slug}`} lang="nb" className="font-medium underline underline-offset-2">
                  {lesson.title}
                </Link>
                <span className="text-sm text-slate-700 dark:text-slate-300">
                  {' '}
                  · {t('lessonFor', { level: lesson.level, criterion: labels.criterion(lesson.criterion) })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="result-parts" className="flex flex-col gap-4">
        <h2 id="result-parts" className="text-lg font-semibold">
          {t('parts')}
        </h2>
        {result.parts.map((part, index) => (
          <section key={part.position} aria-labelledby={`result-part-${part.position}`} className="flex flex-col gap-3 rounded-xl border border-slate-200 p-4 dark:border-slate-800">
            <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <h3 id={`result-part-${part.position}`} className="font-semibold">
                {index + 1}. <span lang="nb">{part.title}</span>
              </h3>
              <span className="text-sm text-slate-700 dark:text-slate-300">
                {labels.taskType(part.taskType)} · {part.scored ? t('scored') : t('warmUp')}
              </span>
            </header>
            {part.criteria.length > 0 ? (
              <details className="rounded-lg bg-slate-50 p-3 dark:bg-slate-900">
                <summary className="cursor-pointer font-medium">{t('partCriteria')}</summary>
                <ul className="mt-3 flex flex-col gap-3">
                  {part.criteria.map((criterion) => (
                    <li key={criterion.criterion}>
                      <CriterionView criterion={criterion} headingLevel="h4" />
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
            {part.transcript.length > 0 ? (
              <ol aria-label={t('transcriptOf', { part: part.title })} className="flex flex-col gap-3">
                {part.transcript.map((turn) => (
                  <ExamLineView
                    key={turn.id}
                    anchorId={`turn-${turn.id}`}
                    line={{ key: turn.id, role: turn.role, text: turn.text }}
                    extra={
                      turn.audioUrl ? (
                        <audio controls preload="none" src={turn.audioUrl} aria-label={t('audio')} className="mt-1 h-10 max-w-[85%]">
                          {t('audioUnsupported')}
                        </audio>
                      ) : null
                    }
                  />
                ))}
              </ol>
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">{t('noTranscript')}</p>
            )}
          </section>
        ))}
      </section>

      <p className="flex flex-wrap gap-x-6 gap-y-2">
        {result.sittingId ? (
          <Link href={`/history/${result.sittingId}`} className="font-medium underline underline-offset-2">
            {t('sitting')}
          </Link>
        ) : null}
        <Link href="/exams" className={`${linkButton} bg-blue-700 text-white hover:bg-blue-800`}>
          {t('again')}
        </Link>
      </p>
    </>
  )
}

/** One criterion: its band on the scale, who rated it, why, and the evidence — or, honestly, why it could not be assessed. */
function CriterionView({ criterion, headingLevel }: { criterion: CriterionResult; headingLevel: 'h3' | 'h4' }) {
  const t = useTranslations('exams.result')
  const labels = useExamLabels()
  const Heading = headingLevel
  const band = criterion.assessable ? criterion.band : null
  return (
    <article className="flex flex-col gap-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <header className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <Heading className="font-semibold">{labels.criterion(criterion.criterion)}</Heading>
        <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-800 dark:bg-slate-800 dark:text-slate-200">
          <span className="sr-only">{t('ratedBy')} </span>
          {labels.rater(criterion.rater)}
        </span>
      </header>
      {band ? (
        <>
          <p>{t('band', { band: labels.level(band) })}</p>
          <BandScale band={band} />
        </>
      ) : criterion.assessable ? null : (
        <p>
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-sm font-medium text-slate-800 dark:bg-slate-800 dark:text-slate-200">{t('notAssessable')}</span>
        </p>
      )}
      {criterion.justification ? (
        <p className="text-sm text-slate-800 dark:text-slate-200">
          {criterion.assessable ? null : <span className="font-medium">{t('why')} </span>}
          {criterion.justification}
        </p>
      ) : null}
      {criterion.evidence.length > 0 ? <Evidence evidence={criterion.evidence} /> : null}
    </article>
  )
}

/** The band on the result scale (below A1 … B2): a bar for the eye; the band is said in words above it. */
function BandScale({ band }: { band: NonNullable<CriterionResult['band']> }) {
  const labels = useExamLabels()
  const reached = levelScale.indexOf(band)
  return (
    <div aria-hidden className="flex flex-col gap-1">
      <div className="grid grid-cols-5 gap-1">
        {levelScale.map((level, index) => (
          <span
            key={level}
            className={`h-2 rounded-full ${index <= reached ? (level === band ? 'bg-blue-700 dark:bg-blue-400' : 'bg-blue-300 dark:bg-blue-700') : 'bg-slate-200 dark:bg-slate-700'}`}
          />
        ))}
      </div>
      <div className="grid grid-cols-5 gap-1 text-center text-[11px] text-slate-600 dark:text-slate-400">
        {levelScale.map((level) => (
          <span key={level} className={level === band ? 'font-semibold text-slate-900 dark:text-slate-100' : ''}>
            {labels.level(level)}
          </span>
        ))}
      </div>
    </div>
  )
}

function Evidence({ evidence }: { evidence: ScoreEvidence[] }) {
  const t = useTranslations('exams.result')
  const metrics = useTranslations('exams.metrics')
  const value = useMeasureValue()
  // The same words quoted from the same turn (for two parts, say) are shown once.
  const quotes = unique(evidence.filter((item) => item.kind === 'quote' && item.text), (item) => `${item.turnId}:${item.text}`)
  const measures = unique(
    evidence.filter((item) => item.kind === 'measure' && item.metric && typeof item.value === 'number'),
    (item) => `${item.metric}:${item.value}`,
  )
  return (
    <div className="flex flex-col gap-2 text-sm">
      {quotes.length > 0 ? (
        <div>
          <p className="font-medium">{t('quotes')}</p>
          <ul className="mt-1 flex flex-col gap-1">
            {quotes.map((quote, index) => (
              <li key={index}>
                {quote.turnId ? (
                  <a href={`#turn-${quote.turnId}`} className="underline underline-offset-2">
                    <q lang="nb">{quote.text}</q>
                  </a>
                ) : (
                  <q lang="nb">{quote.text}</q>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {measures.length > 0 ? (
        <div>
          <p className="font-medium">{t('measures')}</p>
          <ul className="mt-1 flex flex-col gap-0.5">
            {measures.map((measure, index) => {
              const shown = value(measure.value!, measure.unit)
              return (
                <li key={index}>
                  {metrics.has(measure.metric!) ? metrics(measure.metric!, { value: shown }) : `${measure.metric!.replaceAll('_', ' ')}: ${shown} ${measure.unit ?? ''}`.trim()}
                </li>
              )
            })}
          </ul>
        </div>
      ) : null}
    </div>
  )
}

function unique<T>(items: T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const key = keyOf(item)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

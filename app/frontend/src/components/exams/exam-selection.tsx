'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useId, useState } from 'react'
import { useDates } from '@/components/history/use-dates'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { api, ApiError, unwrap } from '@/lib/api/client'
import { ExamHistory } from './exam-history'
import { useDuration, useExamLabels } from './labels'
import { clocked, examKeys, levelsOf, testName, type CefrLevel, type ExamAttemptSummary, type ExamLevel, type ExamTemplate } from './queries'

const linkButton =
  'inline-flex min-h-11 items-center justify-center rounded-lg px-4 py-2 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700'

type StartBody = { level: ExamLevel; coCandidateLevel: CefrLevel }

/** Start refused because another attempt runs: its id, to continue or abandon it. */
class AttemptRunning extends Error {
  constructor(readonly attemptId: string | null) {
    super('A mock exam is already running.')
  }
}

/** The mock exams: what each of the three tests contains, starting one, and my attempts so far. */
export function ExamSelection() {
  const t = useTranslations('exams')
  const templates = useQuery({ queryKey: examKeys.templates, queryFn: () => unwrap(api.GET('/api/v1/exams/templates')), staleTime: 5 * 60_000 })
  const attempts = useQuery({ queryKey: examKeys.attempts, queryFn: () => unwrap(api.GET('/api/v1/exams/attempts')) })
  const running = attempts.data?.items.find((attempt) => attempt.status === 'in_progress')

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{t('title')}</h1>
        <p className="mt-1 text-slate-700 dark:text-slate-300">{t('lead')}</p>
      </header>

      {running ? <RunningNotice attempt={running} /> : null}

      {templates.isPending ? (
        <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
      ) : templates.isError ? (
        <Alert tone="error">
          {t('error')}{' '}
          <button type="button" className="font-medium underline underline-offset-2" onClick={() => void templates.refetch()}>
            {t('tryAgain')}
          </button>
        </Alert>
      ) : (
        <ul className="flex flex-col gap-4">
          {templates.data.items.map((template) => (
            <li key={template.id}>
              <TemplateCard template={template} runningId={running?.id ?? null} />
            </li>
          ))}
        </ul>
      )}

      <ExamHistory attempts={attempts} />
    </div>
  )
}

function RunningNotice({ attempt }: { attempt: ExamAttemptSummary }) {
  const t = useTranslations('exams.running')
  const dates = useDates()
  return (
    <section aria-labelledby="running-heading" className="flex flex-col gap-2 rounded-xl border border-blue-300 bg-blue-50 p-4 text-blue-950 sm:flex-row sm:items-center sm:justify-between dark:border-blue-800 dark:bg-blue-950 dark:text-blue-50">
      <div>
        <h2 id="running-heading" className="font-semibold">
          {t('title', { test: testName(attempt.level) })}
        </h2>
        <p className="text-sm">{t('started', { date: dates.dateTime(attempt.startedAt) })}</p>
      </div>
      <Link href={`/exams/${attempt.id}`} className={`${linkButton} bg-blue-700 text-white hover:bg-blue-800`}>
        {t('continue')}
      </Link>
    </section>
  )
}

function TemplateCard({ template, runningId }: { template: ExamTemplate; runningId: string | null }) {
  const t = useTranslations('exams.template')
  const labels = useExamLabels()
  const duration = useDuration()
  const router = useRouter()
  const queryClient = useQueryClient()
  const [lower, upper] = levelsOf(template.level)
  const [partnerLevel, setPartnerLevel] = useState<CefrLevel>(lower)
  const hasPair = template.parts.some((part) => part.mode === 'pair')
  const scoredCount = template.parts.filter((part) => part.scored).length
  const headingId = useId()
  const test = testName(template.level)

  const start = useMutation({
    mutationFn: async (body: StartBody) => {
      const { data, error, response } = await api.POST('/api/v1/exams/attempts', { body: { ...body, delivery: 'text' } })
      // The running attempt's id rides on the 409 problem (not kept by `unwrap`).
      if (response.status === 409) {
        void queryClient.invalidateQueries({ queryKey: examKeys.attempts })
        throw new AttemptRunning(typeof error?.attemptId === 'string' ? error.attemptId : null)
      }
      return unwrap(Promise.resolve({ data, error, response }))
    },
    onSuccess: (attempt) => {
      queryClient.setQueryData(examKeys.attempt(attempt.id), clocked(attempt))
      void queryClient.invalidateQueries({ queryKey: examKeys.attempts })
      router.push(`/exams/${attempt.id}`)
    },
  })
  const abandonAndStart = useMutation({
    mutationFn: async (attemptId: string) => {
      const abandoned = await api.POST('/api/v1/exams/attempts/{id}/abandon', { params: { path: { id: attemptId } }, body: {} })
      // Already over (409) is as good as abandoned here.
      if (!abandoned.response.ok && abandoned.response.status !== 409) await unwrap(Promise.resolve(abandoned))
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: examKeys.attempts })
      start.mutate({ level: template.level, coCandidateLevel: partnerLevel })
    },
  })
  const conflict = start.error instanceof AttemptRunning ? start.error : null
  const conflictId = conflict ? (conflict.attemptId ?? runningId) : null

  return (
    <article aria-labelledby={headingId} className="flex flex-col gap-4 rounded-xl border border-slate-200 p-4 dark:border-slate-800">
      <header className="flex flex-col gap-1">
        <h2 id={headingId} className="text-xl font-semibold">
          {t('title', { test })}
        </h2>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          {t('facts', { minutes: template.totalMinutes, parts: template.parts.length, scored: scoredCount, lower, upper })}
        </p>
      </header>
      <ol className="flex flex-col gap-2">
        {template.parts.map((part, index) => (
          <li key={part.position} className="flex flex-col gap-0.5 border-l-2 border-slate-200 pl-3 dark:border-slate-700">
            <p>
              <span className="font-medium">{index + 1}. </span>
              <span lang="nb" className="font-medium">
                {part.title}
              </span>{' '}
              <span className="text-slate-700 dark:text-slate-300">— {labels.taskType(part.taskType)}</span>
            </p>
            <p className="text-sm text-slate-700 dark:text-slate-300">
              {[
                part.scored ? t('scored') : t('warmUp'),
                part.mode === 'pair' ? t('pair') : t('alone'),
                part.preparationSeconds > 0 ? t('preparation', { time: duration(part.preparationSeconds) }) : null,
                t('speaking', { time: duration(part.speakingSeconds) }),
              ]
                .filter(Boolean)
                .join(' · ')}
            </p>
          </li>
        ))}
      </ol>
      <form
        className="flex flex-col gap-3"
        onSubmit={(event) => {
          event.preventDefault()
          start.mutate({ level: template.level, coCandidateLevel: partnerLevel })
        }}
      >
        {hasPair ? (
          <fieldset className="flex flex-col gap-1">
            <legend className="font-medium">{t('partner.legend')}</legend>
            <p className="text-sm text-slate-700 dark:text-slate-300">{t('partner.hint')}</p>
            <div className="mt-1 flex flex-wrap gap-2">
              {[lower, upper].map((level) => (
                <label
                  key={level}
                  className="flex min-h-11 cursor-pointer items-center gap-2 rounded-lg border border-slate-300 px-3 has-[:checked]:border-blue-700 has-[:checked]:bg-blue-50 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-700 dark:border-slate-600 dark:has-[:checked]:border-blue-400 dark:has-[:checked]:bg-blue-950"
                >
                  <input
                    type="radio"
                    name={`${template.slug}-partner`}
                    value={level}
                    checked={partnerLevel === level}
                    onChange={() => setPartnerLevel(level)}
                    className="size-4 accent-blue-700"
                  />
                  {level === lower ? t('partner.lower', { level }) : t('partner.upper', { level })}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <Button type="submit" className="self-start" busy={start.isPending || abandonAndStart.isPending}>
          {t('start', { test })}
        </Button>
      </form>
      {conflict ? (
        <Alert tone="info">
          <p>{t('conflict.body')}</p>
          <p className="mt-2 flex flex-wrap gap-3">
            {conflictId ? (
              <>
                <Link href={`/exams/${conflictId}`} className={`${linkButton} bg-blue-700 text-white hover:bg-blue-800`}>
                  {t('conflict.continue')}
                </Link>
                <Button variant="secondary" busy={abandonAndStart.isPending} onClick={() => abandonAndStart.mutate(conflictId)}>
                  {t('conflict.abandon')}
                </Button>
              </>
            ) : null}
          </p>
        </Alert>
      ) : null}
      {start.isError && !conflict ? <Alert tone="error">{startError(start.error, t)}</Alert> : null}
      {abandonAndStart.isError ? <Alert tone="error">{t('conflict.abandonFailed')}</Alert> : null}
    </article>
  )
}

function startError(error: Error, t: ReturnType<typeof useTranslations<'exams.template'>>): string {
  if (error instanceof ApiError && error.problem.status === 404) return t('errors.unavailable')
  return t('errors.start', { detail: error.message })
}

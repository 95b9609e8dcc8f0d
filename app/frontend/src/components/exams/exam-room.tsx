'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react'
import { pictureUrl } from '@/components/talk/visual-aid'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { api, ApiError, unwrap } from '@/lib/api/client'
import { useMe } from '@/lib/queries'
import { streamExamTurn, type ExamTurnStreamEvent } from '@/lib/turn-stream'
import { AbandonExam } from './abandon-exam'
import { clockText, useMilestone, useSecondsLeft } from './countdown'
import { ExamComposer } from './exam-composer'
import { ExamLineView, StreamingLine, type ExamLine } from './exam-transcript'
import { examTurnsReducer, initialExamTurns, isBusy, type ExamTurnsState, type PendingTurn } from './exam-turns'
import { useDuration, useExamLabels } from './labels'
import { clocked, examKeys, fetchAttempt, type ClockedAttempt, type ExamAttempt, type ExamTurn } from './queries'

/** The backend's default TURN_MAX_CHARS; a deployment with a lower limit answers with a field error. */
const MAX_TURN_CHARS = 2000
/** After a deadline, the server is asked again at once and then every few seconds until it has moved on. */
const DEADLINE_GRACE_MS = 300
const DEADLINE_RETRY_MS = 3000

type Phase = Exclude<ExamAttempt['phase'], 'done'>
type RunningPart = NonNullable<ExamAttempt['part']>

/** The in-exam screen: the part, its phase and server-timed countdown, instructions, task, what was said, typed answers. */
export function ExamRoom({ attemptId }: { attemptId: string }) {
  const t = useTranslations('exams.room')
  const router = useRouter()
  const attempt = useQuery({ queryKey: examKeys.attempt(attemptId), queryFn: () => fetchAttempt(attemptId) })
  const status = attempt.data?.attempt.status

  // Once the last part is over the exam is scored: the result page shows the scoring and the result.
  useEffect(() => {
    if (status === 'scoring' || status === 'completed') router.replace(`/exams/${attemptId}/result`)
  }, [status, attemptId, router])

  if (attempt.isPending) return <p className="mx-auto w-full max-w-3xl text-slate-600 dark:text-slate-400">{t('loading')}</p>
  if (attempt.isError) {
    const missing = attempt.error instanceof ApiError && (attempt.error.problem.status === 404 || attempt.error.problem.status === 400)
    return (
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-4">
        <Alert tone="error">
          {missing ? (
            t('notFound')
          ) : (
            <>
              {t('error')}{' '}
              <button type="button" className="font-medium underline underline-offset-2" onClick={() => void attempt.refetch()}>
                {t('tryAgain')}
              </button>
            </>
          )}
        </Alert>
        <Link href="/exams" className="font-medium underline underline-offset-2">
          {t('back')}
        </Link>
      </div>
    )
  }
  const { attempt: current } = attempt.data
  if (current.status === 'abandoned') {
    return (
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-4">
        <h1 className="text-2xl font-semibold tracking-tight">{t('abandoned.title')}</h1>
        <p>{t('abandoned.body')}</p>
        <Link href="/exams" className="self-start font-medium underline underline-offset-2">
          {t('back')}
        </Link>
      </div>
    )
  }
  if (current.status !== 'in_progress' || !current.part) {
    return (
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-4">
        <p role="status">{t('finished')}</p>
        <Link href={`/exams/${attemptId}/result`} className="self-start font-medium underline underline-offset-2">
          {t('toResult')}
        </Link>
      </div>
    )
  }
  return <RunningExam clock={attempt.data} part={current.part} refetch={() => attempt.refetch()} />
}

function RunningExam({ clock, part, refetch }: { clock: ClockedAttempt; part: RunningPart; refetch(): Promise<unknown> }) {
  const t = useTranslations('exams.room')
  const labels = useExamLabels()
  const queryClient = useQueryClient()
  const router = useRouter()
  const { attempt, offsetMs } = clock
  const phase = attempt.phase as Phase
  const key = examKeys.attempt(attempt.id)

  const [live, dispatch] = useReducer(examTurnsReducer, initialExamTurns)
  const [draft, setDraft] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const sending = useRef(false)
  const stream = useRef<AbortController | null>(null)
  // Leaving the page stops reading the reply; the server finishes and stores it all the same.
  useEffect(() => () => stream.current?.abort(), [])

  /** Reads the attempt again, then lets go of the live copies of what it now holds. */
  const resync = useCallback(async () => {
    await refetch()
    dispatch({ type: 'synced' })
  }, [refetch])

  // --- the clock ----------------------------------------------------------------------------------
  const secondsLeft = useSecondsLeft(attempt.phaseEndsAt, offsetMs)
  const phaseKey = `${part.position}:${phase}`
  const milestone = useMilestone(secondsLeft, phaseKey)
  const expired = secondsLeft === 0
  // The server ends a phase at its deadline; ask it then (and again while it has not moved on yet).
  useEffect(() => {
    if (!expired) return
    const first = setTimeout(() => void resync(), DEADLINE_GRACE_MS)
    const again = setInterval(() => void resync(), DEADLINE_RETRY_MS)
    return () => {
      clearTimeout(first)
      clearInterval(again)
    }
  }, [expired, phaseKey, resync])

  // --- turns --------------------------------------------------------------------------------------
  const send = useCallback(
    async (turn: PendingTurn) => {
      // A ref, not state: two Enter presses in one frame must not send twice.
      if (sending.current) return
      sending.current = true
      setFieldError(undefined)
      setDraft('')
      dispatch({ type: 'send', turn })
      const controller = new AbortController()
      stream.current = controller
      const stored: ExamTurn[] = []
      let moved = false
      let complete = false
      try {
        for await (const event of streamExamTurn({ text: turn.text, source: 'typed', examAttemptId: attempt.id }, { clientTurnId: turn.clientTurnId, signal: controller.signal })) {
          collect(event, stored)
          if (event.type === 'state' && event.change.kind === 'exam') moved = true
          if (event.type === 'done') complete = true
          dispatch({ type: 'event', event })
        }
      } catch (error) {
        if (controller.signal.aborted) return
        if (error instanceof ApiError) {
          setDraft(turn.text)
          const field = error.fieldErrors.text
          if (field) setFieldError(field)
          // 409: the exam ended (its time ran out) before the answer got there.
          dispatch({
            type: 'refused',
            failure: error.problem.status === 409 ? { kind: 'ended' } : { kind: 'refused', message: field ? '' : t('errors.refused', { detail: error.message }) },
          })
          moved = error.problem.status === 409
        } else {
          dispatch({ type: 'network_failed' })
        }
      } finally {
        sending.current = false
        if (stream.current === controller) stream.current = null
      }
      if (controller.signal.aborted) return
      if (complete && !moved) {
        // Nothing moved on: what was said joins the part as the server stored it, without asking again.
        queryClient.setQueryData<ClockedAttempt>(key, (current) => (current ? withTurns(current, stored) : current))
        dispatch({ type: 'synced' })
      } else {
        // The exam moved on (a `state` event), or the turn failed: read the attempt as it now stands.
        await resync()
      }
    },
    [key, queryClient, resync, t],
  )

  // --- moving on and abandoning ---------------------------------------------------------------------
  const advance = useMutation({
    mutationFn: (from: { partPosition: number; phase: Phase }) =>
      unwrap(api.POST('/api/v1/exams/attempts/{id}/advance', { params: { path: { id: attempt.id } }, body: from })),
    onSuccess: (next) => {
      queryClient.setQueryData(key, clocked(next))
      dispatch({ type: 'synced' })
    },
    onError: (error) => {
      // 409: the exam had already moved on (time ran out, another tab): show where it is now.
      if (error instanceof ApiError && error.problem.status === 409) void resync()
    },
  })
  const abandon = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/exams/attempts/{id}/abandon', { params: { path: { id: attempt.id } }, body: {} })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: examKeys.attempts })
      router.push('/exams')
    },
    onError: (error) => {
      if (error instanceof ApiError && error.problem.status === 409) void resync()
    },
  })

  // --- what was said ------------------------------------------------------------------------------
  const lines = useMemo(() => shownLines(part.turns, live), [part.turns, live])
  const bottom = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  useEffect(() => {
    const update = () => {
      atBottom.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 240
    }
    window.addEventListener('scroll', update, { passive: true })
    return () => window.removeEventListener('scroll', update)
  }, [])
  const shown = useRef({ part: part.position, count: lines.length })
  useEffect(() => {
    const before = shown.current
    shown.current = { part: part.position, count: lines.length }
    // A new part starts at the top: its title, instructions and task (focus stays where it is).
    if (before.part !== part.position) return void window.scrollTo?.({ top: 0 })
    // Follow what is said while the learner is at the bottom; the page as opened is not scrolled.
    if ((lines.length > before.count || live.reply !== null) && atBottom.current) bottom.current?.scrollIntoView?.({ block: 'end' })
  }, [lines.length, live.reply, part.position])

  const busy = isBusy(live)
  const retry = live.failure && 'retry' in live.failure ? live.failure.retry : null
  const advanceRefused = advance.error instanceof ApiError && advance.error.problem.status === 409
  const partIndex = attempt.parts.findIndex((candidate) => candidate.position === part.position)
  const announcement = milestone ? t(`milestone.${milestone}`) : t('phaseAnnouncement', { part: partIndex + 1, title: part.title, phase: t(`phase.${phase}`) })

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-5">
      {/* Said politely: the part and phase when they change, and the time only at a minute left and at the end. */}
      <p role="status" aria-atomic="true" className="sr-only">
        {announcement}
      </p>
      <header className="flex flex-col gap-3 rounded-xl border border-slate-200 p-4 dark:border-slate-800">
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <p className="text-sm text-slate-700 dark:text-slate-300">
              <span lang="nb">{attempt.template.title}</span> · {t('partOf', { part: partIndex + 1, total: attempt.parts.length })}
            </p>
            <h1 lang="nb" className="mt-0.5 text-2xl font-semibold tracking-tight">
              {part.title}
            </h1>
          </div>
          <AbandonExam onConfirm={() => abandon.mutate()} pending={abandon.isPending} failed={abandon.isError} />
        </div>
        <p className="flex flex-wrap gap-2 text-xs font-medium">
          <span className={`rounded-full px-2 py-0.5 ${part.scored ? 'bg-blue-100 text-blue-900 dark:bg-blue-900 dark:text-blue-100' : 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200'}`}>
            {part.scored ? t('scored') : t('warmUp')}
          </span>
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-slate-800 dark:bg-slate-800 dark:text-slate-200">{labels.taskType(part.taskType)}</span>
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-slate-800 dark:bg-slate-800 dark:text-slate-200">
            {part.mode === 'pair' ? t('withPartner', { level: attempt.coCandidateLevel ?? '' }) : t('alone')}
          </span>
        </p>
        <div className="flex flex-wrap items-end justify-between gap-3">
          <PhaseSteps part={part} phase={phase} />
          <Timer phase={phase} secondsLeft={secondsLeft} />
        </div>
        <PartsProgress attempt={attempt} />
      </header>

      <Briefing part={part} phase={phase} />

      <section aria-labelledby="exam-transcript-heading" className="flex flex-col gap-3">
        <h2 id="exam-transcript-heading" className="text-lg font-semibold">
          {t('transcript')}
        </h2>
        {/* The log role sits on a wrapper: on the list itself it would take away the list's semantics. */}
        <div role="log" aria-live="polite" aria-relevant="additions" aria-label={t('transcriptLog')}>
          <ol className="flex flex-col gap-3">
            {lines.map((line) => (
              <ExamLineView key={line.key} line={line} />
            ))}
          </ol>
        </div>
        {live.reply !== null ? <StreamingLine text={live.reply} reconnecting={live.phase === 'reconnecting'} /> : null}
        {lines.length === 0 && live.reply === null ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('nothingYet')}</p> : null}
      </section>

      {live.failure && live.failure.kind !== 'refused' ? (
        <Alert tone="error">
          <p>{t(`errors.${live.failure.kind}`)}</p>
          <p className="mt-2 flex flex-wrap gap-3">
            {retry ? (
              <Button variant="danger" className="min-h-9 py-1 text-sm" onClick={() => void send(retry)}>
                {t('errors.retry')}
              </Button>
            ) : null}
            <Button variant="ghost" className="min-h-9 py-1 text-sm" onClick={() => dispatch({ type: 'dismiss' })}>
              {t('errors.dismiss')}
            </Button>
          </p>
        </Alert>
      ) : null}
      {live.failure?.kind === 'refused' && live.failure.message ? <Alert tone="error">{live.failure.message}</Alert> : null}
      {advance.isError && !advanceRefused ? <Alert tone="error">{t('errors.advance')}</Alert> : null}

      {/* Stays in reach while the part scrolls: above the phone nav bar (fixed, 3.5 rem + border), at the bottom from lg up. */}
      <div className="sticky bottom-[calc(3.5rem_+_1px_+_env(safe-area-inset-bottom))] z-10 border-t border-slate-200 bg-white pb-2 pt-3 lg:bottom-0 dark:border-slate-800 dark:bg-slate-950">
        <ExamComposer
          draft={draft}
          onDraftChange={(text) => {
            setDraft(text)
            if (fieldError) setFieldError(undefined)
          }}
          onSend={(text) => void send({ clientTurnId: crypto.randomUUID(), text })}
          busy={busy}
          disabled={phase === 'preparation'}
          hint={phase === 'preparation' ? t('composer.preparing') : phase === 'instructions' ? t('composer.instructions') : undefined}
          maxLength={MAX_TURN_CHARS}
          error={fieldError}
          status={<StatusLine busy={busy} reconnecting={live.phase === 'reconnecting'} moving={advance.isPending} />}
          action={<PhaseAction phase={phase} busy={busy} pending={advance.isPending} onAdvance={() => advance.mutate({ partPosition: part.position, phase })} />}
        />
      </div>
      <div ref={bottom} aria-hidden className="h-px scroll-mb-48" />
    </div>
  )
}

/** Stored turns of the event stream, as the attempt lists them: the learner's, the reply, then the lines after it. */
function collect(event: ExamTurnStreamEvent, into: ExamTurn[]) {
  if (event.type === 'retry') into.length = 0
  const turn = event.type === 'turn' || event.type === 'done' || event.type === 'line' ? event.turn : null
  if (!turn) return
  const entry: ExamTurn = { id: turn.id, role: turn.role, text: turn.text, createdAt: turn.createdAt }
  // The reply comes (`done`) after the lines it precedes; the server stores it first.
  if (event.type === 'done') {
    const firstLine = into.findIndex((candidate) => candidate.role !== 'learner')
    into.splice(firstLine === -1 ? into.length : firstLine, 0, entry)
  } else {
    into.push(entry)
  }
}

function withTurns(current: ClockedAttempt, turns: ExamTurn[]): ClockedAttempt {
  const part = current.attempt.part
  if (!part) return current
  const known = new Set(part.turns.map((turn) => turn.id))
  return { ...current, attempt: { ...current.attempt, part: { ...part, turns: [...part.turns, ...turns.filter((turn) => !known.has(turn.id))] } } }
}

/** The part's stored turns, then what this visit added that the attempt as read does not hold yet. */
function shownLines(stored: ExamTurn[], live: ExamTurnsState): ExamLine[] {
  const ids = new Set(stored.map((turn) => turn.id))
  return [
    ...stored.map((turn) => ({ key: live.keys[turn.id] ?? turn.id, role: turn.role, text: turn.text })),
    ...live.entries.filter((entry) => !entry.id || !ids.has(entry.id)),
  ]
}

function PhaseSteps({ part, phase }: { part: RunningPart; phase: Phase }) {
  const t = useTranslations('exams.room')
  const steps: Phase[] = part.preparationSeconds > 0 ? ['instructions', 'preparation', 'speaking'] : ['instructions', 'speaking']
  const index = steps.indexOf(phase)
  return (
    <ol aria-label={t('phases')} className="flex flex-wrap items-center gap-1 text-sm">
      {steps.map((step, position) => (
        <li key={step} aria-current={step === phase ? 'step' : undefined} className="flex items-center gap-1">
          {position > 0 ? (
            <span aria-hidden className="text-slate-400 dark:text-slate-500">
              →
            </span>
          ) : null}
          <span
            className={`rounded-md px-2 py-0.5 ${
              step === phase ? 'bg-blue-700 font-semibold text-white' : position < index ? 'text-slate-600 dark:text-slate-400' : 'text-slate-700 dark:text-slate-300'
            }`}
          >
            {position < index ? <span aria-hidden>✓ </span> : null}
            {t(`phase.${step}`)}
          </span>
        </li>
      ))}
    </ol>
  )
}

function Timer({ phase, secondsLeft }: { phase: Phase; secondsLeft: number | null }) {
  const t = useTranslations('exams.room.timer')
  const id = useId()
  if (secondsLeft === null) return null
  const low = secondsLeft <= 60
  return (
    <p className="flex flex-col items-end">
      <span id={id} className="text-xs text-slate-700 dark:text-slate-300">
        {t(phase)}
      </span>
      {/* Fixed width (tabular figures, room for 00:00): the seconds ticking never move anything. */}
      <span
        aria-labelledby={id}
        role="timer"
        className={`min-w-[5ch] text-right font-mono text-2xl font-semibold tabular-nums ${low ? 'text-red-700 dark:text-red-400' : 'text-slate-900 dark:text-slate-100'}`}
      >
        {clockText(secondsLeft)}
      </span>
    </p>
  )
}

function PartsProgress({ attempt }: { attempt: ExamAttempt }) {
  const t = useTranslations('exams.room')
  const duration = useDuration()
  return (
    <ol aria-label={t('parts')} className="flex flex-wrap gap-1.5 text-xs">
      {attempt.parts.map((summary, index) => (
        <li
          key={summary.position}
          aria-current={summary.state === 'current' ? 'step' : undefined}
          className={`rounded-md border px-2 py-1 ${
            summary.state === 'current'
              ? 'border-blue-700 bg-blue-50 text-blue-900 dark:border-blue-400 dark:bg-blue-950 dark:text-blue-100'
              : summary.state === 'done'
                ? 'border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-400'
                : 'border-slate-200 text-slate-800 dark:border-slate-700 dark:text-slate-200'
          }`}
        >
          <span className="font-medium">{index + 1}.</span> <span lang="nb">{summary.title}</span>
          <span className="sr-only">
            {' '}
            ({t(`partState.${summary.state}`)}, {summary.scored ? t('scored') : t('warmUp')}, {duration(summary.speakingSeconds)})
          </span>
          {summary.state === 'done' ? <span aria-hidden> ✓</span> : null}
        </li>
      ))}
    </ol>
  )
}

/** The examiner's instructions (in Norwegian, with English at hand) and, once given, the task and its picture. */
function Briefing({ part, phase }: { part: RunningPart; phase: Phase }) {
  const t = useTranslations('exams.room')
  const me = useMe()
  const duration = useDuration()
  const [toggled, setToggled] = useState<boolean | null>(null)
  const englishId = useId()
  const showEnglish = toggled ?? me.data?.preferences.explanationLanguage === 'en'
  const prompt = part.prompt
  return (
    <div className="flex flex-col gap-4">
      <section aria-labelledby="exam-instructions-heading" className="flex flex-col gap-2 rounded-xl bg-slate-50 p-4 dark:bg-slate-900">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="exam-instructions-heading" className="text-lg font-semibold">
            {t('instructions')}
          </h2>
          <button
            type="button"
            aria-expanded={showEnglish}
            aria-controls={englishId}
            onClick={() => setToggled(!showEnglish)}
            className="min-h-9 rounded-md px-2 text-sm font-medium text-blue-800 underline underline-offset-2 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300 dark:hover:bg-slate-800"
          >
            {t('english')}
          </button>
        </div>
        <p lang="nb">{part.instructionsNb}</p>
        <div id={englishId} hidden={!showEnglish}>
          <p lang="en" className="text-slate-700 dark:text-slate-300">
            {part.instructionsEn}
          </p>
        </div>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          {part.preparationSeconds > 0
            ? t('timing.withPreparation', { preparation: duration(part.preparationSeconds), speaking: duration(part.speakingSeconds) })
            : t('timing.speaking', { speaking: duration(part.speakingSeconds) })}
        </p>
        {phase === 'instructions' ? <p className="text-sm text-slate-700 dark:text-slate-300">{t('readyHint')}</p> : null}
      </section>

      {prompt ? (
        <section aria-labelledby="exam-task-heading" className="flex flex-col gap-2 rounded-xl border border-slate-200 p-4 dark:border-slate-800">
          <h2 id="exam-task-heading" className="text-lg font-semibold">
            {t('task')}
          </h2>
          <p lang="nb" className="text-lg">
            {prompt.text}
          </p>
          {prompt.textEn && showEnglish ? (
            <p lang="en" className="text-slate-700 dark:text-slate-300">
              {prompt.textEn}
            </p>
          ) : null}
          {prompt.picture ? (
            <figure className="max-w-md">
              <img
                src={pictureUrl(prompt.picture.slug, prompt.picture.url)}
                alt={prompt.picture.alt}
                width={800}
                height={600}
                className="aspect-[4/3] h-auto w-full rounded-lg border border-slate-200 bg-white dark:border-slate-700"
              />
              <figcaption lang="nb" className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                {prompt.picture.title}
              </figcaption>
            </figure>
          ) : null}
        </section>
      ) : null}
    </div>
  )
}

function StatusLine({ busy, reconnecting, moving }: { busy: boolean; reconnecting: boolean; moving: boolean }) {
  const t = useTranslations('exams.room.status')
  const status = reconnecting ? 'reconnecting' : busy ? 'answering' : moving ? 'moving' : 'ready'
  return (
    <p className="flex min-h-5 items-center gap-2 text-slate-700 dark:text-slate-300">
      <span aria-hidden className={`size-2 shrink-0 rounded-full ${status === 'ready' ? 'bg-green-600' : status === 'reconnecting' ? 'animate-pulse bg-amber-500' : 'animate-pulse bg-blue-500'}`} />
      <span className="truncate">{t(status)}</span>
    </p>
  )
}

function PhaseAction({ phase, busy, pending, onAdvance }: { phase: Phase; busy: boolean; pending: boolean; onAdvance(): void }) {
  const t = useTranslations('exams.room.actions')
  return (
    <Button variant={phase === 'speaking' ? 'secondary' : 'primary'} className="min-h-10 shrink-0 px-3 py-1.5 text-sm" busy={pending} disabled={busy} onClick={onAdvance}>
      {t(phase)}
    </Button>
  )
}

'use client'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { api, ApiError, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys, useMe } from '@/lib/queries'
import { streamTurn } from '@/lib/turn-stream'
import { useVoiceEvents, useVoiceSession, useVoiceSnapshot } from '@/lib/voice/use-voice-session'
import type { VoiceProblem, VoiceSnapshot } from '@/lib/voice/voice-session'
import { Composer } from './composer'
import { EndedSitting } from './end-sitting'
import type { TalkIntent } from './intent'
import { OfflineNotice, SessionHeader } from './session-header'
import { StatusLine, useOnline, type TalkStatus } from './status-line'
import { historyEntry, initialTalkState, isBusy, talkReducer, type PendingTurn, type TalkFailure, type TalkState } from './talk-state'
import { Transcript } from './transcript'
import { StopTutorButton, VoiceButton, VoiceDetails, VoiceNote, VoiceProblemNotice } from './voice-controls'

type TutorSession = components['schemas']['TutorSession']
type TutorStateChange = components['schemas']['TutorStateChange']
type EndResult = { ended: boolean; sitting: components['schemas']['Sitting'] | null }

/** The backend's default TURN_MAX_CHARS; a deployment with a lower limit answers with a field error. */
const MAX_TURN_CHARS = 2000
const TRANSCRIPT_PAGE = 30
/** How close to the end of the page counts as "at the bottom" (the input area and phone nav sit there). */
const FOLLOW_THRESHOLD_PX = 240
/** Not in `queryKeys`: this infinite query belongs to the talk page alone and is dropped when it closes. */
const transcriptKey = ['talk', 'transcript'] as const

/**
 * The chat with the tutor: header, transcript, streamed replies, typed input, and the voice
 * conversation (microphone, level, what is being heard, the tutor's voice). Spoken and typed turns
 * end up in the same transcript through the same reducer; typed turns go over the voice connection
 * while it is up, and over the turn stream (SSE) otherwise.
 */
export function TalkScreen({ intent }: { intent: TalkIntent | null }) {
  const t = useTranslations('talk')
  const queryClient = useQueryClient()
  const router = useRouter()
  const online = useOnline()
  const me = useMe()
  // Until the profile is known, corrections stay hidden: a learner who wants them at the end must not see them flash by.
  const correctionStyle = me.data?.preferences.correctionStyle ?? (me.isPending ? 'end_of_session' : 'immediate')
  const session = useQuery({ queryKey: queryKeys.session, queryFn: () => unwrap(api.GET('/api/v1/sessions/default')) })
  const transcript = useInfiniteQuery({
    queryKey: transcriptKey,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/sessions/default/turns', { params: { query: pageParam ? { before: pageParam, limit: TRANSCRIPT_PAGE } : { limit: TRANSCRIPT_PAGE } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextBefore,
    // Live turns are added locally; a refetch would only move the page under the learner's eyes.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  })
  const [state, dispatch] = useReducer(talkReducer, initialTalkState)
  const [draft, setDraft] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const [ended, setEnded] = useState<EndResult | null>(null)
  const sending = useRef(false)
  const stream = useRef<AbortController | null>(null)
  const voice = useVoiceSession({ mode: 'conversation' })
  const voiceState = useVoiceSnapshot(voice)
  /** The turn in progress went over the voice connection (its reply comes as voice events). */
  const sentByVoice = useRef(false)
  const latest = useRef(state)
  useEffect(() => {
    latest.current = state
  })
  const [examOver, setExamOver] = useState(false)
  const [dismissedProblem, setDismissedProblem] = useState<VoiceProblem | null>(null)
  const voiceNoteId = useId()

  // Leaving the page stops reading the reply; the server finishes and stores it all the same.
  useEffect(() => () => stream.current?.abort(), [])

  const greeting = session.data?.greeting
  useEffect(() => {
    if (greeting) dispatch({ type: 'greet', greeting })
  }, [greeting])

  // A talk link (lesson or free topic) switches the session once, then leaves the plain /talk address,
  // so a reload does not start the lesson again.
  const { mutate: changeMode, ...modeChange } = useMutation({
    mutationFn: (body: TalkIntent) => unwrap(api.PATCH('/api/v1/sessions/default', { body })),
    onSuccess: (result) => {
      queryClient.setQueryData(queryKeys.session, result.session)
      dispatch({ type: 'opening', turn: result.opening.turn, events: result.opening.events })
      void queryClient.invalidateQueries({ queryKey: ['lessons'] })
    },
    onSettled: () => router.replace('/talk', { scroll: false }),
  })
  const intentHandled = useRef(false)
  useEffect(() => {
    if (!intent || intentHandled.current) return
    intentHandled.current = true
    changeMode(intent)
  }, [intent, changeMode])

  const applyStateChange = useCallback(
    (change: TutorStateChange) => {
      queryClient.setQueryData<TutorSession>(queryKeys.session, (current) => {
        if (!current) return current
        if (change.kind === 'step' && current.lesson?.lesson.id === change.lessonId) {
          return { ...current, lesson: { ...current.lesson, step: { ...current.lesson.step, position: change.position, total: change.total } } }
        }
        if (change.kind === 'topic') return { ...current, topic: change.topic }
        return current
      })
      if (change.kind === 'lesson_complete') {
        void queryClient.invalidateQueries({ queryKey: ['lessons'] })
        void queryClient.invalidateQueries({ queryKey: queryKeys.lesson(change.lessonId) })
        void queryClient.invalidateQueries({ queryKey: queryKeys.progress })
      }
    },
    [queryClient],
  )

  const send = useCallback(
    async (turn: PendingTurn) => {
      // A ref, not state: two Enter presses in one frame must not send twice.
      if (sending.current) return
      sending.current = true
      setFieldError(undefined)
      setEnded(null)
      setDraft('')
      atBottom.current = true
      if (voice.sendText(turn.clientTurnId, turn.text)) {
        sentByVoice.current = true
        dispatch({ type: 'send', turn })
        return
      }
      dispatch({ type: 'send', turn })
      const controller = new AbortController()
      stream.current = controller
      try {
        for await (const event of streamTurn({ text: turn.text, source: turn.source }, { clientTurnId: turn.clientTurnId, signal: controller.signal })) {
          let lessonTitle: string | null = null
          if (event.type === 'state') {
            lessonTitle = queryClient.getQueryData<TutorSession>(queryKeys.session)?.lesson?.lesson.title ?? null
            applyStateChange(event.change)
          }
          dispatch({ type: 'event', event, lessonTitle })
        }
      } catch (error) {
        if (controller.signal.aborted) return
        if (error instanceof ApiError) {
          setDraft(turn.text)
          const field = error.fieldErrors.text
          if (field) setFieldError(field)
          dispatch({ type: 'refused', message: field ? '' : refusalMessage(error, t), status: error.problem.status })
        } else {
          dispatch({ type: 'network_failed' })
        }
      } finally {
        sending.current = false
        if (stream.current === controller) stream.current = null
        void queryClient.invalidateQueries({ queryKey: queryKeys.session })
        void queryClient.invalidateQueries({ queryKey: queryKeys.sittings })
      }
    },
    [applyStateChange, queryClient, t, voice],
  )

  const sendNew = useCallback((text: string) => void send({ clientTurnId: crypto.randomUUID(), text, source: 'typed' }), [send])

  // A reply that came over the voice connection is complete (or failed): the next turn may go, and
  // what the reply changed (minutes, the sitting) is fetched again, as after a streamed reply.
  const hadPending = useRef(false)
  useEffect(() => {
    const pending = state.pending !== null
    if (hadPending.current && !pending && (sentByVoice.current || voiceState.active)) {
      if (sentByVoice.current) sending.current = false
      sentByVoice.current = false
      void queryClient.invalidateQueries({ queryKey: queryKeys.session })
      void queryClient.invalidateQueries({ queryKey: queryKeys.sittings })
    }
    hadPending.current = pending
  }, [state.pending, voiceState.active, queryClient])

  useVoiceEvents(voice, {
    turn: (turn) => dispatch({ type: 'stored', turn }),
    line: (turn) => dispatch({ type: 'stored', turn }),
    delta: ({ text }) => dispatch({ type: 'event', event: { type: 'delta', text } }),
    correction: (correction) => dispatch({ type: 'event', event: { type: 'correction', correction } }),
    visual: (aid) => dispatch({ type: 'event', event: { type: 'visual', aid } }),
    change: (change) => {
      const lessonTitle = queryClient.getQueryData<TutorSession>(queryKeys.session)?.lesson?.lesson.title ?? null
      applyStateChange(change)
      dispatch({ type: 'event', event: { type: 'state', change }, lessonTitle })
    },
    // The browser recognised a turn: shown at once (the server's copy of it confirms it later).
    said: ({ clientTurnId, text }) => {
      if (!latest.current.pending) dispatch({ type: 'send', turn: { clientTurnId, text, source: 'browser_speech' } })
    },
    status: (status) => {
      const pending = latest.current.pending
      // The reply will be sent again from its start once the connection is back.
      if (status === 'reconnecting' && pending && voice.pendingTurns.some((turn) => turn.clientTurnId === pending.clientTurnId)) {
        dispatch({ type: 'event', event: { type: 'retry', attempt: 1 } })
      }
    },
    undelivered: (turns) => dispatch({ type: 'network_failed', clientTurnIds: turns.map((turn) => turn.clientTurnId) }),
    error: ({ code, message, fatal }) => {
      if (fatal) return
      if (code === 'tutor_unavailable' || code === 'internal') {
        dispatch({ type: 'event', event: { type: 'error', code, message, retryable: code === 'tutor_unavailable', turn: null } })
      } else if (code === 'exam_over') {
        setExamOver(true)
      } else if (code === 'bad_message') {
        // A typed turn the server could not take (never acknowledged): back to the input, with the reason.
        const pending = latest.current.pending
        const unacknowledged = pending && voice.pendingTurns.some((turn) => turn.clientTurnId === pending.clientTurnId && turn.turnId === null)
        if (pending && unacknowledged) {
          setDraft(pending.text)
          dispatch({ type: 'refused', message: t('errors.refused', { detail: message }), status: 400 })
        }
      }
    },
  })
  const toggleVoice = useCallback(() => {
    if (voice.getSnapshot().active) {
      voice.stop()
      return
    }
    setExamOver(false)
    void voice.start(voiceStartOptions(queryClient.getQueryData<TutorSession>(queryKeys.session)))
  }, [voice, queryClient])

  const endSitting = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sessions/default/end', { body: {} })),
    onSuccess: (result) => {
      setEnded(result)
      // The sitting is over; speaking again would start the next one, so voice waits to be turned on.
      voice.stop()
      void queryClient.invalidateQueries({ queryKey: queryKeys.sittings })
      void queryClient.invalidateQueries({ queryKey: queryKeys.session })
    },
  })

  const liveIds = useMemo(() => new Set(state.entries.flatMap((entry) => (entry.id ? [entry.id] : []))), [state.entries])
  const history = useMemo(
    () =>
      [...(transcript.data?.pages ?? [])]
        .reverse()
        .flatMap((page) => page.items)
        .filter((turn) => !liveIds.has(turn.id))
        .map(historyEntry),
    [transcript.data, liveIds],
  )

  // Follow the conversation while the learner is at the bottom; leave them alone when they scrolled up
  // to read. Only scrolling moves the flag: a reply growing below does not count as scrolling away.
  const bottom = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  useEffect(() => {
    const update = () => {
      atBottom.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - FOLLOW_THRESHOLD_PX
    }
    window.addEventListener('scroll', update, { passive: true })
    return () => window.removeEventListener('scroll', update)
  }, [])
  const firstPageLoaded = transcript.isSuccess
  useEffect(() => {
    if (firstPageLoaded) bottom.current?.scrollIntoView?.({ block: 'end' })
  }, [firstPageLoaded])
  useEffect(() => {
    if (atBottom.current) bottom.current?.scrollIntoView?.({ block: 'end' })
  }, [state.entries.length, state.reply?.text, state.reply?.visuals.length])

  // The result of ending the sitting appears below the conversation: bring it into view and to the keyboard.
  const endedPanel = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!ended) return
    // To the end of the page: only there does the sticky input area not cover what is just above it.
    bottom.current?.scrollIntoView?.({ block: 'end' })
    endedPanel.current?.focus({ preventScroll: true })
  }, [ended])

  const busy = isBusy(state) || modeChange.isPending
  const status = talkStatus({ online, state, voice: voiceState, starting: modeChange.isPending, sessionError: session.isError, sessionPending: session.isPending })
  const voiceProblem = voiceState.problem && voiceState.problem !== dismissedProblem ? voiceState.problem : null

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-4">
      <SessionHeader
        session={session.data}
        actions={
          <Button variant="secondary" busy={endSitting.isPending} disabled={busy} onClick={() => endSitting.mutate()}>
            {t('end.button')}
          </Button>
        }
      />
      {session.data ? <OfflineNotice capabilities={session.data.capabilities} /> : null}
      {session.isError ? (
        <Alert tone="error">
          {t('errors.session')}{' '}
          <button type="button" className="font-medium underline underline-offset-2" onClick={() => void session.refetch()}>
            {t('errors.tryAgain')}
          </button>
        </Alert>
      ) : null}
      {modeChange.isError ? <Alert tone="error">{modeChangeMessage(modeChange.error, t)}</Alert> : null}
      {endSitting.isError ? <Alert tone="error">{t('end.failed')}</Alert> : null}
      {examOver ? <Alert tone="info">{t('voice.examOver')}</Alert> : null}

      <Transcript
        history={history}
        historyStatus={transcript.status}
        hasEarlier={transcript.hasNextPage}
        loadingEarlier={transcript.isFetchingNextPage}
        onLoadEarlier={() => void transcript.fetchNextPage()}
        onRetryHistory={() => void transcript.refetch()}
        entries={state.entries}
        reply={state.reply}
        reconnecting={state.phase === 'reconnecting'}
        correctionStyle={correctionStyle}
        interim={voiceState.active ? voiceState.interim : ''}
      />

      {ended ? (
        <div ref={endedPanel} tabIndex={-1} className="focus:outline-none">
          <EndedSitting ended={ended.ended} sitting={ended.sitting} onDismiss={() => setEnded(null)} />
        </div>
      ) : null}
      {state.failure && state.failure.kind !== 'refused' ? (
        <FailureNotice failure={state.failure} onRetry={(turn) => void send(turn)} onDismiss={() => dispatch({ type: 'dismiss' })} />
      ) : null}
      {state.failure?.kind === 'refused' && state.failure.message ? <Alert tone="error">{state.failure.message}</Alert> : null}
      {voiceProblem ? (
        <VoiceProblemNotice
          problem={voiceProblem}
          onRetry={() => {
            setDismissedProblem(voiceProblem)
            void voice.start(voiceStartOptions(queryClient.getQueryData<TutorSession>(queryKeys.session)))
          }}
          onDismiss={() => setDismissedProblem(voiceProblem)}
        />
      ) : null}

      {/* Stays in reach while the conversation scrolls: above the phone nav bar (fixed, 3.5 rem + border), at the bottom from lg up. */}
      <div className="sticky bottom-[calc(3.5rem_+_1px_+_env(safe-area-inset-bottom))] z-10 border-t border-slate-200 bg-white pb-2 pt-3 lg:bottom-0 dark:border-slate-800 dark:bg-slate-950">
        {voiceState.tutorSpeaking && voiceState.interruptions ? <StopTutorButton onStop={() => voice.stopTutor()} /> : null}
        <Composer
          draft={draft}
          onDraftChange={(text) => {
            setDraft(text)
            if (fieldError) setFieldError(undefined)
          }}
          onSend={sendNew}
          busy={busy}
          maxLength={MAX_TURN_CHARS}
          error={fieldError}
          voice={<VoiceButton voice={voiceState} onToggle={toggleVoice} describedBy={voiceNoteId} />}
          status={
            <>
              <StatusLine status={status} />
              <VoiceNote id={voiceNoteId} session={voice} voice={voiceState} />
              {me.data?.role === 'admin' && voiceState.active ? <VoiceDetails session={voice} voice={voiceState} /> : null}
            </>
          }
        />
      </div>
      {/* Scrolled to when following the conversation; its bottom margin takes the page padding under it along. */}
      <div ref={bottom} aria-hidden className="h-px scroll-mb-40" />
    </div>
  )
}

type Translate = ReturnType<typeof useTranslations<'talk'>>

/**
 * Voice options from the session: a server with a speech-to-text engine of its own transcribes (better
 * than most browsers, with word timings), and a realtime model hears the audio itself.
 */
function voiceStartOptions(session: TutorSession | undefined) {
  const engine: string | undefined = session?.capabilities.speechToText.engine
  return { preferServerSpeechToText: Boolean(session?.capabilities.realtime) || (engine !== undefined && engine !== 'browser' && engine !== 'none') }
}

/** What the status line says: offline and connection trouble first, then what the conversation is doing. */
function talkStatus(input: { online: boolean; state: TalkState; voice: VoiceSnapshot; starting: boolean; sessionError: boolean; sessionPending: boolean }): TalkStatus {
  const { state, voice } = input
  if (!input.online) return 'offline'
  if (voice.active && voice.status === 'connecting') return 'voiceConnecting'
  if (voice.active && voice.status === 'reconnecting') return 'voiceReconnecting'
  if (state.phase === 'reconnecting') return 'reconnecting'
  if (voice.active && voice.tutorSpeaking) return 'tutorSpeaking'
  if (isBusy(state)) return 'answering'
  if (input.starting) return 'starting'
  if (state.phase === 'error' || input.sessionError) return 'error'
  if (input.sessionPending) return 'connecting'
  if (voice.active) return voice.speechToText === 'none' ? 'listeningTyped' : 'listening'
  return 'ready'
}

function refusalMessage(error: ApiError, t: Translate): string {
  if (error.problem.status === 401) return t('errors.signedOut')
  if (error.problem.status === 409) return t('errors.conflict')
  if (error.problem.status === 429) return t('errors.rateLimited')
  return t('errors.refused', { detail: error.message })
}

function modeChangeMessage(error: Error, t: Translate): string {
  if (error instanceof ApiError && error.problem.status === 404) return t('errors.lessonNotFound')
  return t('errors.modeChange', { detail: error.message })
}

function FailureNotice({ failure, onRetry, onDismiss }: { failure: Exclude<TalkFailure, { kind: 'refused' }>; onRetry(turn: PendingTurn): void; onDismiss(): void }) {
  const t = useTranslations('talk.errors')
  const message = failure.kind === 'network' ? t('network') : t(failure.code)
  return (
    <Alert tone="error">
      <p>{message}</p>
      <p className="mt-2 flex flex-wrap gap-3">
        {failure.retry ? (
          <Button variant="danger" className="min-h-9 py-1 text-sm" onClick={() => onRetry(failure.retry!)}>
            {t('retry')}
          </Button>
        ) : null}
        <Button variant="ghost" className="min-h-9 py-1 text-sm" onClick={onDismiss}>
          {t('dismiss')}
        </Button>
      </p>
    </Alert>
  )
}

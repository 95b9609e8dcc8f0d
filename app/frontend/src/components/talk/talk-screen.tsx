'use client'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { api, ApiError, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys, useMe } from '@/lib/queries'
import { streamTurn, type TurnSource } from '@/lib/turn-stream'
import { Composer } from './composer'
import { EndedSitting } from './end-sitting'
import type { TalkIntent } from './intent'
import { OfflineNotice, SessionHeader } from './session-header'
import { StatusLine, useOnline, type TalkStatus } from './status-line'
import { historyEntry, initialTalkState, isBusy, talkReducer, type PendingTurn, type TalkFailure } from './talk-state'
import { Transcript } from './transcript'

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

/** The chat with the tutor: header, transcript, streamed replies, typed (or browser-recognised) input. */
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
  const draftSource = useRef<TurnSource>('typed')
  const [fieldError, setFieldError] = useState<string>()
  const [ended, setEnded] = useState<EndResult | null>(null)
  const sending = useRef(false)
  const stream = useRef<AbortController | null>(null)

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
      draftSource.current = 'typed'
      atBottom.current = true
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
          draftSource.current = turn.source
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
    [applyStateChange, queryClient, t],
  )

  const sendNew = useCallback(
    (text: string, source: TurnSource) => void send({ clientTurnId: crypto.randomUUID(), text, source }),
    [send],
  )

  const endSitting = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sessions/default/end', { body: {} })),
    onSuccess: (result) => {
      setEnded(result)
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
  const status: TalkStatus = !online
    ? 'offline'
    : state.phase === 'reconnecting'
      ? 'reconnecting'
      : isBusy(state)
        ? 'answering'
        : modeChange.isPending
          ? 'starting'
          : state.phase === 'error' || session.isError
            ? 'error'
            : session.isPending
              ? 'connecting'
              : 'ready'

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

      {/* Stays in reach while the conversation scrolls: above the phone nav bar (fixed, 3.5 rem + border), at the bottom from lg up. */}
      <div className="sticky bottom-[calc(3.5rem_+_1px_+_env(safe-area-inset-bottom))] z-10 border-t border-slate-200 bg-white pb-2 pt-3 lg:bottom-0 dark:border-slate-800 dark:bg-slate-950">
        <Composer
          draft={draft}
          onDraftChange={(text, source) => {
            setDraft(text)
            draftSource.current = source
            if (fieldError) setFieldError(undefined)
          }}
          onSend={(text, source) => sendNew(text, source === 'browser_speech' || draftSource.current === 'browser_speech' ? 'browser_speech' : 'typed')}
          busy={busy}
          speechUnavailable={session.data?.capabilities.speechToText.engine === 'none'}
          maxLength={MAX_TURN_CHARS}
          error={fieldError}
          status={<StatusLine status={status} />}
        />
      </div>
      {/* Scrolled to when following the conversation; its bottom margin takes the page padding under it along. */}
      <div ref={bottom} aria-hidden className="h-px scroll-mb-40" />
    </div>
  )
}

type Translate = ReturnType<typeof useTranslations<'talk'>>

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

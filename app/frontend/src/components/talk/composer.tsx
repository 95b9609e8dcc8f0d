'use client'
import { useTranslations } from 'next-intl'
import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import type { TurnSource } from '@/lib/turn-stream'
import { useSpeechRecognition } from './use-speech-recognition'

export interface ComposerProps {
  draft: string
  onDraftChange(text: string, source: TurnSource): void
  onSend(text: string, source: TurnSource): void
  /** A reply is streaming (or the session is switching): no second turn until it is done. */
  busy: boolean
  /** The deployment has no speech recognition at all (capabilities.speechToText.engine "none"). */
  speechUnavailable: boolean
  maxLength: number
  error?: string | undefined
  /** The status line, shown under the input so it is seen while typing. */
  status: ReactNode
}

/** Typed input (always there), the microphone (browser speech recognition where it exists) and the send button. */
export function Composer({ draft, onDraftChange, onSend, busy, speechUnavailable, maxLength, error, status }: ComposerProps) {
  const t = useTranslations('talk.composer')
  const id = useId()
  const input = useRef<HTMLTextAreaElement>(null)
  const wasBusy = useRef(busy)
  const speech = useSpeechRecognition({
    onInterim: (text) => onDraftChange(text, 'browser_speech'),
    onFinal: (text) => onSend(text, 'browser_speech'),
  })

  // Focus goes back to the input once the tutor has answered (it is disabled meanwhile).
  useEffect(() => {
    if (wasBusy.current && !busy) input.current?.focus()
    wasBusy.current = busy
  }, [busy])

  function submit(event?: FormEvent) {
    event?.preventDefault()
    if (busy || !draft.trim()) return
    onSend(draft.trim(), 'typed')
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a new line; Enter that confirms an input-method composition does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      submit()
    }
  }

  const micDisabled = speechUnavailable || !speech.supported || busy
  const micNote = speechUnavailable || !speech.supported ? t('mic.unsupported') : speech.listening ? t('mic.listening') : t('mic.supported')
  const describedBy = [`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ')

  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-label={t('form')}>
      <label htmlFor={`${id}-input`} className="sr-only">
        {t('label')}
      </label>
      <div className="flex items-end gap-2">
        <textarea
          ref={input}
          id={`${id}-input`}
          rows={2}
          value={draft}
          maxLength={maxLength}
          disabled={busy}
          onChange={(event) => onDraftChange(event.target.value, 'typed')}
          onKeyDown={onKeyDown}
          placeholder={t('placeholder')}
          lang="nb"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="min-h-11 min-w-0 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2 text-base disabled:cursor-not-allowed disabled:bg-slate-100 aria-[invalid]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:disabled:bg-slate-800"
        />
        <Button
          type="button"
          variant="secondary"
          className="px-3"
          disabled={micDisabled}
          aria-pressed={speech.supported && !speechUnavailable ? speech.listening : undefined}
          aria-describedby={`${id}-mic`}
          onClick={() => (speech.listening ? speech.stop() : speech.start())}
        >
          <MicIcon listening={speech.listening} />
          <span className="sr-only">{speech.listening ? t('mic.stop') : t('mic.start')}</span>
        </Button>
        <Button type="submit" className="px-3" busy={busy} disabled={!draft.trim()}>
          {t('send')}
        </Button>
      </div>
      <div className="flex flex-col gap-0.5 text-sm">
        {error ? (
          <p id={`${id}-error`} className="text-red-700 dark:text-red-400">
            {error}
          </p>
        ) : null}
        {speech.problem ? (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {t(`mic.problem.${speech.problem}`)}
          </p>
        ) : null}
        {status}
        <p id={`${id}-mic`} className="text-xs text-slate-600 dark:text-slate-400">
          {micNote}
        </p>
        <p id={`${id}-hint`} className="hidden text-xs text-slate-600 sm:block dark:text-slate-400">
          {t('hint')}
        </p>
      </div>
    </form>
  )
}

function MicIcon({ listening }: { listening: boolean }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className={`size-5 ${listening ? 'animate-pulse text-red-600' : ''}`} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    </svg>
  )
}

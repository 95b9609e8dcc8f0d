'use client'
import { useTranslations } from 'next-intl'
import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'

export interface ComposerProps {
  draft: string
  onDraftChange(text: string): void
  onSend(text: string): void
  /** A reply is streaming (or the session is switching): no second turn until it is done. */
  busy: boolean
  maxLength: number
  error?: string | undefined
  /** The voice control (microphone button), beside the send button. */
  voice?: ReactNode
  /** Under the input: the voice state (meter, what to do) and the status line, seen while typing. */
  status: ReactNode
}

/** Typed input (always there, with or without voice), the voice control and the send button. */
export function Composer({ draft, onDraftChange, onSend, busy, maxLength, error, voice, status }: ComposerProps) {
  const t = useTranslations('talk.composer')
  const id = useId()
  const input = useRef<HTMLTextAreaElement>(null)
  const wasBusy = useRef(busy)

  // Focus goes back to the input once the tutor has answered (it is disabled meanwhile).
  useEffect(() => {
    if (wasBusy.current && !busy) input.current?.focus()
    wasBusy.current = busy
  }, [busy])

  function submit(event?: FormEvent) {
    event?.preventDefault()
    if (busy || !draft.trim()) return
    onSend(draft.trim())
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a new line; Enter that confirms an input-method composition does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      submit()
    }
  }

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
          onChange={(event) => onDraftChange(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={t('placeholder')}
          lang="nb"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="min-h-11 min-w-0 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2 text-base disabled:cursor-not-allowed disabled:bg-slate-100 aria-[invalid]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:disabled:bg-slate-800"
        />
        {voice}
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
        {status}
        <p id={`${id}-hint`} className="hidden text-xs text-slate-600 sm:block dark:text-slate-400">
          {t('hint')}
        </p>
      </div>
    </form>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'

export interface ExamComposerProps {
  draft: string
  onDraftChange(text: string): void
  onSend(text: string): void
  /** A reply is on its way: no second answer until it is there. */
  busy: boolean
  /** Nothing to answer now (preparation time); `hint` says why. */
  disabled: boolean
  hint?: string | undefined
  maxLength: number
  error?: string | undefined
  /** The status line, under the input so it is seen while typing. */
  status: ReactNode
  /** Beside the status line: the button that moves the exam on. */
  action?: ReactNode
}

/** Typed answers during a mock exam (the microphone comes with voice delivery). */
export function ExamComposer({ draft, onDraftChange, onSend, busy, disabled, hint, maxLength, error, status, action }: ExamComposerProps) {
  const t = useTranslations('exams.room.composer')
  const id = useId()
  const input = useRef<HTMLTextAreaElement>(null)
  const wasBusy = useRef(busy)

  // Focus goes back to the input once the reply is there (it is disabled meanwhile).
  useEffect(() => {
    if (wasBusy.current && !busy && !disabled) input.current?.focus()
    wasBusy.current = busy
  }, [busy, disabled])

  function submit(event?: FormEvent) {
    event?.preventDefault()
    if (busy || disabled || !draft.trim()) return
    onSend(draft.trim())
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a new line; Enter that confirms an input-method composition does neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      submit()
    }
  }

  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null, `${id}-keys`].filter(Boolean).join(' ')

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
          disabled={busy || disabled}
          onChange={(event) => onDraftChange(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={disabled ? '' : t('placeholder')}
          lang="nb"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="min-h-11 min-w-0 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2 text-base disabled:cursor-not-allowed disabled:bg-slate-100 aria-[invalid]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:disabled:bg-slate-800"
        />
        <Button type="submit" className="px-3" busy={busy} disabled={disabled || !draft.trim()}>
          {t('send')}
        </Button>
      </div>
      <div className="flex flex-col gap-0.5 text-sm">
        {error ? (
          <p id={`${id}-error`} className="text-red-700 dark:text-red-400">
            {error}
          </p>
        ) : null}
        {hint ? (
          <p id={`${id}-hint`} className="text-slate-700 dark:text-slate-300">
            {hint}
          </p>
        ) : null}
        <div className="flex items-center justify-between gap-3">
          <div className="min-w-0 flex-1">{status}</div>
          {action}
        </div>
        <p id={`${id}-keys`} className="hidden text-xs text-slate-600 sm:block dark:text-slate-400">
          {t('keys')}
        </p>
      </div>
    </form>
  )
}

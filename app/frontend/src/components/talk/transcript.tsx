'use client'
import { useTranslations } from 'next-intl'
import { Fragment } from 'react'
import { Button } from '@/components/ui/button'
import { useDates } from '@/components/history/use-dates'
import type { TalkEntry, TalkState } from './talk-state'
import { InterimSpeech, StreamingReply, TurnView, type CorrectionStyle } from './turn-bubble'

export interface TranscriptProps {
  /** Earlier turns (transcript pages), oldest first. */
  history: TalkEntry[]
  historyStatus: 'pending' | 'error' | 'success'
  hasEarlier: boolean
  loadingEarlier: boolean
  onLoadEarlier(): void
  onRetryHistory(): void
  /** This visit's conversation. */
  entries: TalkEntry[]
  reply: TalkState['reply']
  reconnecting: boolean
  correctionStyle: CorrectionStyle
  /** What the learner is saying, recognised so far (voice), until their turn is stored. */
  interim?: string
}

/**
 * The conversation. Earlier turns sit in a plain list; this visit's turns are a log whose additions a
 * screen reader reads out (aria-live polite). The reply being streamed stays outside the log until it
 * is complete, so it is announced once, not at every piece of text.
 */
export function Transcript(props: TranscriptProps) {
  const t = useTranslations('talk.transcript')
  const dates = useDates()
  return (
    <section aria-labelledby="transcript-heading" className="flex flex-col gap-3">
      <h2 id="transcript-heading" className="sr-only">
        {t('heading')}
      </h2>
      {props.historyStatus === 'error' ? (
        <p className="text-sm text-red-700 dark:text-red-400">
          {t('historyError')}{' '}
          <button type="button" className="underline underline-offset-2" onClick={props.onRetryHistory}>
            {t('tryAgain')}
          </button>
        </p>
      ) : null}
      {props.hasEarlier ? (
        <Button variant="ghost" className="self-center text-sm" busy={props.loadingEarlier} onClick={props.onLoadEarlier}>
          {t('loadEarlier')}
        </Button>
      ) : null}
      {props.history.length > 0 ? (
        <ol aria-label={t('earlier')} className="flex flex-col gap-3">
          {props.history.map((entry, index) => {
            const previous = props.history[index - 1]
            const newSitting = entry.sittingId && entry.createdAt && entry.sittingId !== previous?.sittingId
            return (
              <Fragment key={entry.key}>
                {newSitting ? (
                  <li className="flex items-center gap-3 text-xs text-slate-600 dark:text-slate-400">
                    <span aria-hidden className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                    <span>{t('sittingOf', { date: dates.dateTime(entry.createdAt!) })}</span>
                    <span aria-hidden className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                  </li>
                ) : null}
                <TurnView entry={entry} correctionStyle={props.correctionStyle} />
              </Fragment>
            )
          })}
        </ol>
      ) : null}
      {/* The log role sits on a wrapper: on the list itself it would take away the list's semantics. */}
      <div role="log" aria-live="polite" aria-relevant="additions" aria-label={t('log')}>
        <ol className="flex flex-col gap-3">
          {props.entries.map((entry) => (
            <TurnView key={entry.key} entry={entry} correctionStyle={props.correctionStyle} />
          ))}
        </ol>
      </div>
      {props.reply ? <StreamingReply text={props.reply.text} visuals={props.reply.visuals} reconnecting={props.reconnecting} /> : null}
      {props.interim ? <InterimSpeech text={props.interim} /> : null}
    </section>
  )
}

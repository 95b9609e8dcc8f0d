'use client'
import { useTranslations } from 'next-intl'
import type { ReactNode } from 'react'
import type { ExamRole } from './exam-turns'

const bubbles: Record<ExamRole, string> = {
  examiner: 'self-start rounded-bl-sm bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100',
  // The co-candidate is another candidate, not the examiner: a colour and a border of its own.
  partner: 'self-start rounded-bl-sm border border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50',
  learner: 'self-end rounded-br-sm bg-blue-700 text-white',
  tutor: 'self-start rounded-bl-sm bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100',
}

const names: Record<ExamRole, string> = {
  examiner: 'text-slate-700 dark:text-slate-300',
  partner: 'text-amber-800 dark:text-amber-300',
  learner: 'text-blue-800 dark:text-blue-300',
  tutor: 'text-slate-700 dark:text-slate-300',
}

export interface ExamLine {
  key: string
  role: ExamRole
  text: string
  unanswered?: boolean
}

/** One line of a mock exam, labelled with who said it: examiner, co-candidate or you. */
export function ExamLineView({ line, anchorId, extra }: { line: ExamLine; anchorId?: string; extra?: ReactNode }) {
  const t = useTranslations('exams.transcript')
  const mine = line.role === 'learner'
  return (
    <li id={anchorId} tabIndex={anchorId ? -1 : undefined} className={`flex scroll-mt-24 flex-col gap-0.5 focus:outline-none ${mine ? 'items-end' : 'items-start'}`}>
      <span className={`text-xs font-medium ${names[line.role]}`}>{t(`role.${line.role}`)}</span>
      <div className={`max-w-[85%] rounded-2xl px-4 py-2 ${bubbles[line.role]}`}>
        <p lang="nb" className="whitespace-pre-wrap break-words">
          {line.text}
        </p>
        {line.unanswered ? <p className="mt-1 text-xs text-blue-100">{t('unanswered')}</p> : null}
      </div>
      {extra}
    </li>
  )
}

/** The reply while it arrives: room reserved for its text so the page does not jump. */
export function StreamingLine({ text, reconnecting }: { text: string; reconnecting: boolean }) {
  const t = useTranslations('exams.transcript')
  return (
    <div className="flex flex-col items-start gap-0.5" aria-busy="true">
      <span className="text-xs font-medium text-slate-700 dark:text-slate-300">{t('replying')}</span>
      <div className={`max-w-[85%] rounded-2xl px-4 py-2 ${bubbles.examiner}`}>
        <p lang="nb" className="min-h-6 whitespace-pre-wrap break-words">
          {text}
          {text ? null : (
            <span className="inline-flex gap-1 align-middle">
              <span className="sr-only">{reconnecting ? t('reconnecting') : t('waiting')}</span>
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current [animation-delay:150ms]" />
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current [animation-delay:300ms]" />
            </span>
          )}
        </p>
      </div>
    </div>
  )
}

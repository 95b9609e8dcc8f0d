import { useTranslations } from 'next-intl'
import Link from 'next/link'
import type { ReactNode } from 'react'
import type { Correction, TalkEntry, VisualAid } from './talk-state'
import { VisualAidView } from './visual-aid'

export type CorrectionStyle = 'immediate' | 'end_of_turn' | 'end_of_session'

/** Corrections of a learner turn: what they said, the better version, and why. */
export function CorrectionList({ corrections }: { corrections: Correction[] }) {
  const t = useTranslations('talk.corrections')
  if (corrections.length === 0) return null
  return (
    <section aria-label={t('label', { count: corrections.length })} className="mt-2 w-full max-w-[85%] self-end rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
      <h3 className="font-medium">{t('label', { count: corrections.length })}</h3>
      <ul className="mt-1 flex flex-col gap-2">
        {corrections.map((correction, index) => (
          <li key={index}>
            <p className="break-words">
              <span className="sr-only">{t('original')}: </span>
              <del lang="nb" className="decoration-red-700 dark:decoration-red-400">
                {correction.original}
              </del>
              <span aria-hidden> → </span>
              <span className="sr-only">, {t('corrected')}: </span>
              <ins lang="nb" className="font-medium no-underline">
                {correction.corrected}
              </ins>
            </p>
            {/* The backend writes explanations in English. */}
            <p lang="en" className="text-amber-900 dark:text-amber-200">
              {correction.explanation}
            </p>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Bubble({ mine, children, label }: { mine: boolean; children: ReactNode; label: string }) {
  return (
    <div
      className={`max-w-[85%] rounded-2xl px-4 py-2 ${
        mine ? 'self-end rounded-br-sm bg-blue-700 text-white' : 'self-start rounded-bl-sm bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100'
      }`}
    >
      <span className="sr-only">{label}: </span>
      {children}
    </div>
  )
}

function Visuals({ visuals }: { visuals: VisualAid[] }) {
  if (visuals.length === 0) return null
  return (
    <div className="mt-2 flex w-full max-w-[85%] flex-col gap-2 self-start">
      {visuals.map((aid, index) => (
        <VisualAidView key={index} aid={aid} />
      ))}
    </div>
  )
}

/** One entry of the conversation: a learner or tutor turn (with corrections or visual aids), the greeting or a lesson-complete note. */
export function TurnView({ entry, correctionStyle }: { entry: TalkEntry; correctionStyle: CorrectionStyle }) {
  const t = useTranslations('talk.transcript')
  if (entry.kind === 'lesson_complete') return <LessonCompleteNote lesson={entry.lesson ?? null} />
  const mine = entry.role === 'learner'
  const showCorrections = mine && correctionStyle !== 'end_of_session' && (correctionStyle === 'immediate' || entry.correctionsRevealed)
  return (
    <li className="flex flex-col">
      <Bubble mine={mine} label={t(`role.${entry.role}`)}>
        <p lang="nb" className="whitespace-pre-wrap break-words">
          {entry.text}
        </p>
        {entry.kind === 'greeting' && entry.greeting?.translation ? (
          <p lang="en" className="mt-1 text-sm italic text-slate-600 dark:text-slate-300">
            {entry.greeting.translation}
          </p>
        ) : null}
        {entry.kind === 'greeting' && entry.greeting?.recap ? (
          <p lang="en" className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            {entry.greeting.recap}
          </p>
        ) : null}
        {entry.incomplete ? <p className="mt-1 text-sm italic opacity-80">{t('incomplete')}</p> : null}
        {mine && (entry.source === 'browser_speech' || entry.unanswered) ? (
          <p className="mt-1 text-xs text-blue-100">
            {[entry.source === 'browser_speech' ? t('spoken') : null, entry.unanswered ? t('unanswered') : null].filter(Boolean).join(' · ')}
          </p>
        ) : null}
      </Bubble>
      {showCorrections ? <CorrectionList corrections={entry.corrections} /> : null}
      <Visuals visuals={entry.visuals} />
    </li>
  )
}

function LessonCompleteNote({ lesson }: { lesson: { id: string; title: string | null } | null }) {
  const t = useTranslations('talk.lessonComplete')
  return (
    <li className="rounded-lg border border-green-300 bg-green-50 p-4 text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-50">
      <p className="font-semibold">{lesson?.title ? t('titleNamed', { title: lesson.title }) : t('title')}</p>
      <p className="mt-1 text-sm">{t('body')}</p>
      <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm font-medium">
        <Link href="/lessons" className="underline underline-offset-2">
          {t('lessons')}
        </Link>
        {lesson ? (
          <Link href={`/lessons/${lesson.id}`} className="underline underline-offset-2">
            {t('lesson')}
          </Link>
        ) : null}
      </p>
    </li>
  )
}

/** The tutor's reply while it streams in: text appends in place, with room reserved so nothing jumps. */
export function StreamingReply({ text, visuals, reconnecting }: { text: string; visuals: VisualAid[]; reconnecting: boolean }) {
  const t = useTranslations('talk.transcript')
  return (
    <div className="flex flex-col" aria-busy="true">
      <Bubble mine={false} label={t('role.tutor')}>
        <p lang="nb" className="min-h-6 whitespace-pre-wrap break-words">
          {text}
          {text ? null : (
            <span className="inline-flex gap-1 align-middle">
              <span className="sr-only">{reconnecting ? t('reconnecting') : t('typing')}</span>
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current [animation-delay:150ms]" />
              <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current [animation-delay:300ms]" />
            </span>
          )}
        </p>
      </Bubble>
      <Visuals visuals={visuals} />
    </div>
  )
}

/**
 * What the learner is saying while they speak, as recognised so far: faded, on their side, outside
 * the log (the stored turn is announced once it is final, not every word on the way).
 */
export function InterimSpeech({ text }: { text: string }) {
  const t = useTranslations('talk.voice')
  return (
    <div className="flex flex-col" data-interim>
      <div className="max-w-[85%] self-end rounded-2xl rounded-br-sm border border-dashed border-blue-700 px-4 py-2 text-blue-900 dark:border-blue-400 dark:text-blue-100">
        <span className="sr-only">{t('saying')}: </span>
        <p lang="nb" className="whitespace-pre-wrap break-words italic">
          {text}
        </p>
      </div>
    </div>
  )
}

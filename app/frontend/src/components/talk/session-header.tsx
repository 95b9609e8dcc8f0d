'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useState, type ReactNode } from 'react'
import type { components } from '@/lib/api/schema'
import { useLabels } from '@/components/lessons/labels'

type TutorSession = components['schemas']['TutorSession']

/** What the conversation is about: free talk (and its topic), a lesson and its step, or a mock exam. */
export function SessionHeader({ session, actions }: { session: TutorSession | undefined; actions: ReactNode }) {
  const t = useTranslations('talk.header')
  const labels = useLabels()
  const lesson = session?.lesson
  return (
    <header className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">{t('title')}</h1>
        {actions}
      </div>
      {/* Reserved height: the line fills in when the session has loaded, without pushing the conversation down. */}
      <div className="min-h-12 text-sm">
        {session ? (
          <>
            <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <span className="rounded-full bg-blue-100 px-2 py-0.5 font-medium text-blue-900 dark:bg-blue-900 dark:text-blue-100">{t(`mode.${session.mode}`)}</span>
              {lesson ? (
                <Link href={`/lessons/${lesson.lesson.slug ?? lesson.lesson.id}`} className="font-medium underline underline-offset-2">
                  {lesson.lesson.title}
                </Link>
              ) : session.mode === 'free' && session.topic ? (
                <span>{t('topic', { topic: labels.topic(session.topic) })}</span>
              ) : null}
              <span className="text-slate-600 dark:text-slate-400">{t('level', { level: session.level })}</span>
            </p>
            {lesson ? (
              <div className="mt-2 flex items-center gap-3">
                <span id="lesson-step">{t('step', { position: Math.min(lesson.step.position + 1, lesson.step.total), total: lesson.step.total })}</span>
                <progress
                  aria-labelledby="lesson-step"
                  value={lesson.step.position}
                  max={lesson.step.total}
                  className="h-2 w-32 overflow-hidden rounded-full [&::-moz-progress-bar]:bg-blue-700 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-blue-700"
                />
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </header>
  )
}

/** Said plainly when no AI provider is configured: what the scripted tutor cannot do. */
export function OfflineNotice({ capabilities }: { capabilities: TutorSession['capabilities'] }) {
  const t = useTranslations('talk.offline')
  // Open until the learner has read and folded it once (remembered on this device).
  const [open] = useState(() => readFolded() !== 'folded')
  if (!capabilities.offline) return null
  return (
    <details
      open={open}
      onToggle={(event) => writeFolded((event.currentTarget as HTMLDetailsElement).open ? null : 'folded')}
      className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
      <summary className="cursor-pointer font-medium">{t('title')}</summary>
      <ul lang="en" className="mt-2 list-disc space-y-1 pl-5">
        {capabilities.limitations.map((limitation) => (
          <li key={limitation}>{limitation}</li>
        ))}
      </ul>
    </details>
  )
}

const foldedKey = 'avaaz.talk.offlineNotice'

function readFolded(): string | null {
  try {
    return window.localStorage.getItem(foldedKey)
  } catch {
    return null
  }
}

function writeFolded(value: string | null) {
  try {
    if (value) window.localStorage.setItem(foldedKey, value)
    else window.localStorage.removeItem(foldedKey)
  } catch {
    // Storage unavailable (private mode): the notice simply opens again next time.
  }
}

'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import type { ReactNode } from 'react'
import type { components } from '@/lib/api/schema'
import { useLabels } from './labels'

export type LessonSummary = components['schemas']['LessonSummary']

/** Where a lesson's pages and its talk link go: by slug when it has one (stable), else by id. */
export const lessonRef = (lesson: Pick<LessonSummary, 'id' | 'slug'>) => lesson.slug ?? lesson.id
export const talkHref = (lesson: Pick<LessonSummary, 'id' | 'slug'>, step?: number) =>
  `/talk?lesson=${encodeURIComponent(lessonRef(lesson))}${step === undefined ? '' : `&step=${step}`}`

export function ExamTags({ tags }: { tags: string[] }) {
  const t = useTranslations('lessons')
  const labels = useLabels()
  if (tags.length === 0) return null
  return (
    <ul aria-label={t('examTags')} className="flex flex-wrap gap-1.5">
      {tags.map((tag) => (
        <li key={tag} className="rounded-full border border-slate-300 px-2 py-0.5 text-xs text-slate-700 dark:border-slate-600 dark:text-slate-300">
          {labels.examTag(tag)}
        </li>
      ))}
    </ul>
  )
}

/** Level, type, topic and time of a lesson, in one line. */
export function LessonFacts({ lesson }: { lesson: LessonSummary }) {
  const t = useTranslations('lessons')
  const labels = useLabels()
  const facts = [
    lesson.level,
    lesson.type !== 'lesson' ? labels.type(lesson.type) : null,
    lesson.topic ? labels.topic(lesson.topic) : null,
    lesson.estimatedMinutes ? t('minutes', { count: lesson.estimatedMinutes }) : null,
  ].filter(Boolean)
  return <p className="text-sm text-slate-600 dark:text-slate-400">{facts.join(' · ')}</p>
}

/** A lesson in a list: what it is, and the ways in (details, or straight to the tutor). */
export function LessonCard({ lesson, headingLevel = 3, extra }: { lesson: LessonSummary; headingLevel?: 2 | 3; extra?: ReactNode }) {
  const t = useTranslations('lessons')
  const Heading = headingLevel === 2 ? 'h2' : 'h3'
  return (
    <article className="flex h-full flex-col gap-2 rounded-xl border border-slate-200 p-4 dark:border-slate-800">
      <Heading className="font-semibold">
        <Link href={`/lessons/${encodeURIComponent(lessonRef(lesson))}`} className="underline-offset-2 hover:underline">
          <span lang="nb">{lesson.title}</span>
        </Link>
      </Heading>
      <LessonFacts lesson={lesson} />
      {extra}
      {lesson.description ? <p className="line-clamp-3 text-sm text-slate-700 dark:text-slate-300">{lesson.description}</p> : null}
      <ExamTags tags={lesson.examTags} />
      <p className="mt-auto pt-1">
        <Link
          href={talkHref(lesson)}
          className="inline-flex min-h-11 items-center rounded-lg bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
        >
          {t('start')}
          <span className="sr-only">: {lesson.title}</span>
        </Link>
      </p>
    </article>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import type { components } from '@/lib/api/schema'
import { useRecommendedLessons } from './queries'
import { mutedText, Widget } from './widget'

type LessonSummary = components['schemas']['LessonSummary']

/** Lessons are addressed by slug; lessons without one (authored, ad hoc) by id. */
export function lessonHref(lesson: Pick<LessonSummary, 'id' | 'slug'>): string {
  return `/lessons/${encodeURIComponent(lesson.slug ?? lesson.id)}`
}

const linkClass = 'font-medium text-blue-700 underline-offset-2 hover:underline dark:text-blue-300'

export function NextLessonCard() {
  const t = useTranslations('dashboard.nextLesson')
  const recommended = useRecommendedLessons()
  return (
    <Widget title={t('title')} query={recommended} skeletonRows={3}>
      {({ items }) => {
        const [first, ...others] = items
        if (!first) {
          return (
            <>
              <p>{t('empty')}</p>
              <Link href="/lessons" className={linkClass}>
                {t('browse')}
              </Link>
            </>
          )
        }
        const { lesson, reason } = first
        return (
          <>
            <div>
              <h3 className="text-lg font-semibold">
                <Link href={lessonHref(lesson)} className="underline-offset-2 hover:underline">
                  {lesson.title}
                </Link>
              </h3>
              <p className={mutedText}>
                {lesson.estimatedMinutes ? t('metaWithMinutes', { level: lesson.level, minutes: lesson.estimatedMinutes }) : t('meta', { level: lesson.level })}
              </p>
            </div>
            {lesson.description ? <p className="text-sm">{lesson.description}</p> : null}
            <p className="rounded-lg bg-slate-100 px-3 py-2 text-sm dark:bg-slate-900">
              <span className="font-medium">{t('why')} </span>
              {/* The API gives its reasons in English only. */}
              <span lang="en">{reason}</span>
            </p>
            <Link
              href={lessonHref(lesson)}
              aria-label={t('openNamed', { title: lesson.title })}
              className="inline-flex min-h-11 items-center self-start rounded-lg border border-slate-300 px-4 py-2 font-medium hover:bg-slate-50 dark:border-slate-600 dark:hover:bg-slate-900"
            >
              {t('open')}
            </Link>
            {others.length > 0 ? (
              <div>
                <h3 className="text-sm font-semibold">{t('alsoSuggested')}</h3>
                <ul className="mt-1 space-y-1 text-sm">
                  {others.slice(0, 2).map(({ lesson: other }) => (
                    <li key={other.id}>
                      <Link href={lessonHref(other)} className={linkClass}>
                        {other.title}
                      </Link>{' '}
                      <span className="text-slate-600 dark:text-slate-400">({other.level})</span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </>
        )
      }}
    </Widget>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useTutorSession } from './queries'

/**
 * The tutor's greeting for today (Bokmål, with the English translation when the learner gets one)
 * and the way in: "Start talking". The link is there whatever the session query does, so a slow
 * or failed greeting never stands between the learner and a conversation.
 */
export function GreetingPanel() {
  const t = useTranslations('dashboard.greeting')
  const session = useTutorSession()
  const data = session.data
  return (
    <section aria-labelledby="greeting-heading" className="rounded-xl bg-blue-50 p-5 dark:bg-blue-950/60">
      <h2 id="greeting-heading" className="sr-only">
        {t('title')}
      </h2>
      <div className="min-h-16">
        {data ? (
          <figure>
            <blockquote lang="nb" className="text-lg font-medium">
              {data.greeting.text}
            </blockquote>
            {data.greeting.translation ? (
              <p lang="en" className="mt-1 text-sm text-slate-700 dark:text-slate-300">
                {data.greeting.translation}
              </p>
            ) : null}
            {data.greeting.recap ? <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">{data.greeting.recap}</p> : null}
            <figcaption className="sr-only">{t('from')}</figcaption>
          </figure>
        ) : session.status === 'error' ? (
          <p className="text-lg font-medium">{t('fallback')}</p>
        ) : (
          <div aria-hidden className="h-7 w-3/4 animate-pulse rounded bg-blue-100 motion-reduce:animate-none dark:bg-blue-900" />
        )}
      </div>
      {data?.lesson ? (
        <p className="mt-3 text-sm">
          {t('lessonInProgress', { title: data.lesson.lesson.title, step: data.lesson.step.position + 1, total: data.lesson.step.total })}
        </p>
      ) : null}
      <Link
        href="/talk"
        className="mt-4 inline-flex min-h-12 items-center justify-center rounded-lg bg-blue-700 px-6 py-3 text-lg font-semibold text-white hover:bg-blue-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        {data?.lesson ? t('continue') : t('start')}
      </Link>
    </section>
  )
}

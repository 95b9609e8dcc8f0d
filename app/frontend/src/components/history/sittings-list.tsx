'use client'
import { useInfiniteQuery, useQueries } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { api, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys } from '@/lib/queries'
import { sittingMinutes, useDates, useMinutes } from './use-dates'

export type Sitting = components['schemas']['Sitting']

const PAGE_SIZE = 20

/**
 * Titles of the lessons practised in sittings, which only carry the lesson's id. One request per
 * distinct lesson, shared with the lesson pages' cache.
 */
export function useLessonTitles(ids: Array<string | null>): Map<string, string> {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))]
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: queryKeys.lesson(id),
      queryFn: () => unwrap(api.GET('/api/v1/lessons/{idOrSlug}', { params: { path: { idOrSlug: id } } })),
      staleTime: 5 * 60_000,
    })),
  })
  return new Map(unique.flatMap((id, index) => (results[index]?.data ? [[id, results[index].data.title] as const] : [])))
}

/** What was practised: free talk, a lesson (by title) or a mock exam. */
export function SittingActivity({ sitting, lessonTitle }: { sitting: Sitting; lessonTitle: string | undefined }) {
  const t = useTranslations('sittings.mode')
  if (sitting.mode === 'lesson') {
    return lessonTitle ? (
      <>
        {t('lesson')}: <span lang="nb">{lessonTitle}</span>
      </>
    ) : (
      <>{t('lesson')}</>
    )
  }
  return <>{t(sitting.mode)}</>
}

export function SummaryStatus({ sitting }: { sitting: Sitting }) {
  const t = useTranslations('sittings.status')
  const key = sitting.endedAt === null ? 'open' : sitting.summaryStatus
  const tone = {
    open: 'bg-blue-100 text-blue-900 dark:bg-blue-900 dark:text-blue-100',
    pending: 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
    ready: 'bg-green-100 text-green-900 dark:bg-green-900 dark:text-green-100',
    failed: 'bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100',
    unavailable: 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
  }[key]
  return <span className={`inline-block self-start rounded-full px-2 py-0.5 text-xs font-medium sm:self-center ${tone}`}>{t(key)}</span>
}

/** My sittings, newest first, a page at a time. */
export function SittingsList() {
  const t = useTranslations('sittings')
  const dates = useDates()
  const minutes = useMinutes()
  const sittings = useInfiniteQuery({
    // Under `sittings`, so whatever invalidates the sittings refreshes this list too.
    queryKey: [...queryKeys.sittings, 'pages'],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/sessions/default/sittings', { params: { query: pageParam ? { before: pageParam, limit: PAGE_SIZE } : { limit: PAGE_SIZE } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextBefore,
  })
  const items = sittings.data?.pages.flatMap((page) => page.items) ?? []
  const titles = useLessonTitles(items.map((sitting) => sitting.lessonId))

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{t('title')}</h1>
        <p className="mt-1 text-slate-700 dark:text-slate-300">{t('lead')}</p>
      </header>
      {sittings.isPending ? (
        <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
      ) : sittings.isError ? (
        <Alert tone="error">
          {t('error')}{' '}
          <button type="button" className="font-medium underline underline-offset-2" onClick={() => void sittings.refetch()}>
            {t('tryAgain')}
          </button>
        </Alert>
      ) : items.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center dark:border-slate-700">
          <p className="font-medium">{t('empty.title')}</p>
          <p className="mt-1 text-slate-700 dark:text-slate-300">{t('empty.body')}</p>
          <Link href="/talk" className="mt-4 inline-flex min-h-11 items-center rounded-lg bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">
            {t('empty.talk')}
          </Link>
        </div>
      ) : (
        <>
          <ul className="flex flex-col gap-3">
            {items.map((sitting) => (
              <li key={sitting.id}>
                <article className="flex flex-col gap-1 rounded-xl border border-slate-200 p-4 sm:flex-row sm:items-center sm:justify-between dark:border-slate-800">
                  <div className="min-w-0">
                    <h2 className="font-semibold">
                      <Link href={`/history/${sitting.id}`} className="underline-offset-2 hover:underline">
                        <time dateTime={sitting.startedAt}>{dates.dateTime(sitting.startedAt)}</time>
                      </Link>
                    </h2>
                    <p className="text-sm text-slate-700 dark:text-slate-300">
                      <SittingActivity sitting={sitting} lessonTitle={sitting.lessonId ? titles.get(sitting.lessonId) : undefined} /> ·{' '}
                      {sitting.endedAt === null ? t('ongoing') : minutes(sittingMinutes(sitting))}
                    </p>
                  </div>
                  <SummaryStatus sitting={sitting} />
                </article>
              </li>
            ))}
          </ul>
          {sittings.hasNextPage ? (
            <Button variant="secondary" className="self-center" busy={sittings.isFetchingNextPage} onClick={() => void sittings.fetchNextPage()}>
              {t('more')}
            </Button>
          ) : null}
        </>
      )}
    </div>
  )
}

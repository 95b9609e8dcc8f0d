'use client'
import { useTranslations } from 'next-intl'
import { useId, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { isUnreachable } from '@/components/app-shell/connection'
import { ApiError } from '@/lib/api/client'

interface QueryLike<T> {
  data: T | undefined
  status: 'pending' | 'error' | 'success'
  error: unknown
  isFetching: boolean
  refetch: () => unknown
}

/**
 * A dashboard card fed by one query: a skeleton of its usual height while loading, the error with a
 * retry if it failed (a card failing does not take the others down), else its content.
 */
export function Widget<T>({ title, query, children, className = '', skeletonRows = 2 }: { title: string; query: QueryLike<T>; children: (data: T) => ReactNode; className?: string; skeletonRows?: number }) {
  const t = useTranslations('dashboard')
  const common = useTranslations('common')
  const headingId = useId()
  let body: ReactNode
  if (query.status === 'success' && query.data !== undefined) body = children(query.data)
  else if (query.status === 'error') {
    body = (
      <div className="flex flex-col items-start gap-2 text-sm">
        <p>{isUnreachable(query.error) ? common('backendDown.banner') : t('widgetError')}</p>
        {query.error instanceof ApiError && query.error.problem.requestId ? <p className="text-xs text-slate-600 dark:text-slate-400">{common('error.requestId', { id: query.error.problem.requestId })}</p> : null}
        <Button variant="secondary" className="min-h-9 py-1 text-sm" busy={query.isFetching} onClick={() => void query.refetch()}>
          {common('backendDown.retry')}
        </Button>
      </div>
    )
  } else {
    body = (
      <div aria-busy="true" className="animate-pulse space-y-2 motion-reduce:animate-none">
        <span className="sr-only">{common('loading')}</span>
        {Array.from({ length: skeletonRows }, (_, index) => (
          <div key={index} aria-hidden className={`h-5 rounded bg-slate-200 dark:bg-slate-800 ${index === 0 ? 'w-1/2' : 'w-full'}`} />
        ))}
      </div>
    )
  }
  return (
    <Card aria-labelledby={headingId} className={`flex flex-col gap-3 ${className}`}>
      <h2 id={headingId} className="text-sm font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
        {title}
      </h2>
      {body}
    </Card>
  )
}

/** A big figure with its unit, e.g. "12" over "days in a row". */
export function Figure({ value, unit }: { value: ReactNode; unit: ReactNode }) {
  return (
    <p className="flex flex-col">
      <span className="text-3xl font-semibold tabular-nums">{value}</span>
      <span className="text-sm text-slate-700 dark:text-slate-300">{unit}</span>
    </p>
  )
}

export const mutedText = 'text-sm text-slate-600 dark:text-slate-400'

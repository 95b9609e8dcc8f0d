'use client'
import { useTranslations } from 'next-intl'
import { useEffect } from 'react'
import { Button } from '@/components/ui/button'

/**
 * Tries the page the learner asked for again. The service worker serves this view in place of a page
 * it could not fetch, at that page's address, so a reload asks for it anew; at /offline itself
 * (opened directly) the start page is the one to try.
 */
export function retryPage(location: Pick<Location, 'pathname' | 'reload' | 'assign'>) {
  if (location.pathname === '/offline') location.assign('/')
  else location.reload()
}

function retryThisPage() {
  retryPage(window.location)
}

/** What the service worker shows when a page cannot be fetched: no tutor without a connection. */
export function OfflineView({ onRetry = retryThisPage }: { onRetry?: () => void }) {
  const t = useTranslations('common')
  useEffect(() => {
    // Back online: try at once rather than wait for the button.
    window.addEventListener('online', onRetry)
    return () => window.removeEventListener('online', onRetry)
  }, [onRetry])
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto w-full max-w-md px-4 py-4">
        <span className="text-lg font-semibold">{t('appName')}</span>
      </header>
      <main id="main" className="mx-auto flex w-full max-w-md flex-1 flex-col items-start gap-4 px-4 pb-16 pt-4 sm:pt-10">
        <svg aria-hidden viewBox="0 0 48 48" className="size-12 text-slate-500 dark:text-slate-400" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round">
          <path d="M6 18a26 26 0 0 1 36 0M12 25a17 17 0 0 1 24 0M18 32a8 8 0 0 1 12 0" />
          <circle cx="24" cy="39" r="2" fill="currentColor" stroke="none" />
          <path d="M8 8l32 32" />
        </svg>
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{t('offline.page.title')}</h1>
        <p className="text-lg text-slate-700 dark:text-slate-300">{t('offline.page.body')}</p>
        <p className="text-slate-700 dark:text-slate-300">{t('offline.page.tutor')}</p>
        <Button onClick={onRetry}>{t('offline.page.retry')}</Button>
      </main>
    </div>
  )
}

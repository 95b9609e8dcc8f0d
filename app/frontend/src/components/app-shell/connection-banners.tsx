'use client'
import { useTranslations } from 'next-intl'
import { Button } from '@/components/ui/button'
import { useOnline, useServerReach } from './connection'

/**
 * "You are offline" while the browser has no network; otherwise "cannot reach the server" with a
 * retry when a request failed for want of the server. Offline explains the second, so only one shows.
 */
export function ConnectionBanners() {
  const t = useTranslations('common')
  const online = useOnline()
  const { reach, retry } = useServerReach()
  if (!online) {
    return (
      <div role="status" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
        <p className="mx-auto max-w-5xl">{t('offline.banner')}</p>
      </div>
    )
  }
  if (reach === 'ok') return null
  return (
    <div role="alert" className="border-b border-red-300 bg-red-50 px-4 py-2 text-sm text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2">
        <p>{t('backendDown.banner')}</p>
        <Button variant="secondary" className="min-h-9 py-1 text-sm" busy={reach === 'retrying'} onClick={retry}>
          {t('backendDown.retry')}
        </Button>
      </div>
    </div>
  )
}

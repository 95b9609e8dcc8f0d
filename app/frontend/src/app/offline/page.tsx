import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { OfflineView } from '@/components/pwa/offline-view'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common')
  return { title: `${t('offline.page.metaTitle')} · ${t('appName')}`, robots: { index: false } }
}

/** Cached by the service worker (public/sw.js) in both languages and shown when a page cannot load. */
export default function OfflinePage() {
  return <OfflineView />
}

import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { SittingsList } from '@/components/history/sittings-list'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('sittings')
  return { title: `${t('title')} · Avaaz` }
}

export default function HistoryPage() {
  return <SittingsList />
}

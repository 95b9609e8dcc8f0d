import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { SittingDetail } from '@/components/history/sitting-detail'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('sittings')
  return { title: `${t('detail.pageTitle')} · Avaaz` }
}

export default async function SittingPage({ params }: { params: Promise<{ sittingId: string }> }) {
  const { sittingId } = await params
  return <SittingDetail sittingId={sittingId} />
}

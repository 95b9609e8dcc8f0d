import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { Dashboard } from '@/components/dashboard/dashboard'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('dashboard')
  return { title: t('metaTitle') }
}

export default function HomePage() {
  return <Dashboard />
}

import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { LessonDetailView } from '@/components/lessons/lesson-detail'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('lessons')
  return { title: `${t('detail.title')} · Avaaz` }
}

export default async function LessonPage({ params }: { params: Promise<{ idOrSlug: string }> }) {
  const { idOrSlug } = await params
  return <LessonDetailView idOrSlug={idOrSlug} />
}

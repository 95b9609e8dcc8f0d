import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { LessonsCatalogue } from '@/components/lessons/lessons-catalogue'
import { isLevel } from '@/components/lessons/levels'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('lessons')
  return { title: `${t('title')} · Avaaz` }
}

export default async function LessonsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { level } = await searchParams
  return <LessonsCatalogue initialLevel={isLevel(level) ? level : null} />
}

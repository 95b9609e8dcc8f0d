import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { ExamSelection } from '@/components/exams/exam-selection'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('exams')
  return { title: `${t('title')} · Avaaz` }
}

export default function ExamsPage() {
  return <ExamSelection />
}

import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { ExamResultView } from '@/components/exams/exam-result'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('exams.result')
  return { title: `${t('pageTitle')} · Avaaz` }
}

export default async function ExamResultPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return <ExamResultView attemptId={id} />
}

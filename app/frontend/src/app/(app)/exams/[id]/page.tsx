import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { ExamRoom } from '@/components/exams/exam-room'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('exams.room')
  return { title: `${t('pageTitle')} · Avaaz` }
}

export default async function ExamPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return <ExamRoom attemptId={id} />
}

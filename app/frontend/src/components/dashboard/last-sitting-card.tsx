'use client'
import { useFormatter, useTranslations } from 'next-intl'
import Link from 'next/link'
import type { components } from '@/lib/api/schema'
import { useTutorSession } from './queries'
import { mutedText, Widget } from './widget'

type Sitting = components['schemas']['Sitting']

function SummaryList({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null
  return (
    <div>
      <h3 className="text-sm font-semibold">{title}</h3>
      <ul className="mt-1 list-disc space-y-1 ps-5 text-sm">
        {items.map((item, index) => (
          <li key={index}>{item}</li>
        ))}
      </ul>
    </div>
  )
}

function SittingSummary({ sitting, timeZone }: { sitting: Sitting; timeZone: string }) {
  const t = useTranslations('dashboard.lastSitting')
  const format = useFormatter()
  const when = format.dateTime(new Date(sitting.endedAt ?? sitting.startedAt), { dateStyle: 'medium', timeStyle: 'short', timeZone })
  const summary = sitting.summary
  const facts = [
    t(`mode.${sitting.mode}`),
    summary?.minutes !== undefined ? t('minutes', { count: Math.max(1, Math.round(summary.minutes)) }) : null,
    summary?.wordsSpoken !== undefined ? t('words', { count: summary.wordsSpoken }) : null,
  ].filter(Boolean)
  let body
  if (sitting.summaryStatus === 'pending') body = <p role="status">{t('pending')}</p>
  else if (sitting.summaryStatus === 'failed') body = <p>{t('failed')}</p>
  else if (sitting.summaryStatus === 'unavailable' || !summary) body = <p>{t('unavailable')}</p>
  else {
    body = (
      <>
        <SummaryList title={t('strengths')} items={summary.strengths} />
        <SummaryList title={t('weaknesses')} items={summary.weaknesses} />
        <SummaryList title={t('nextSteps')} items={summary.nextSteps} />
        {summary.corrections.length > 0 ? <p className={mutedText}>{t('corrections', { count: summary.corrections.length })}</p> : null}
      </>
    )
  }
  return (
    <>
      <p className={mutedText}>
        {when} · {facts.join(' · ')}
      </p>
      {body}
      <Link href="/history" className="text-sm font-medium text-blue-700 underline-offset-2 hover:underline dark:text-blue-300">
        {t('history')}
      </Link>
    </>
  )
}

export function LastSittingCard({ timeZone }: { timeZone: string }) {
  const t = useTranslations('dashboard.lastSitting')
  const session = useTutorSession()
  return (
    <Widget title={t('title')} query={session} skeletonRows={4}>
      {({ lastSitting }) => (lastSitting ? <SittingSummary sitting={lastSitting} timeZone={timeZone} /> : <p>{t('empty')}</p>)}
    </Widget>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import { useMe } from '@/lib/queries'
import { GreetingPanel } from './greeting-panel'
import { LastSittingCard } from './last-sitting-card'
import { NextLessonCard } from './next-lesson-card'
import { LevelCard, PracticeTimeCard, StreakCard } from './progress-cards'

/** Home: the tutor's greeting and "Start talking", then progress, the next lesson and the last sitting. */
export function Dashboard() {
  const t = useTranslations('dashboard')
  // The shell renders pages only once the profile has loaded.
  const { data: profile } = useMe()
  if (!profile) return null
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{t('title', { name: profile.name })}</h1>
      <GreetingPanel />
      <div className="grid gap-4 sm:grid-cols-3">
        <StreakCard />
        <PracticeTimeCard />
        <LevelCard profile={profile} />
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <NextLessonCard />
        <LastSittingCard timeZone={profile.timeZone} />
      </div>
    </div>
  )
}

'use client'
import { useFormatter, useTranslations } from 'next-intl'
import Link from 'next/link'
import type { components } from '@/lib/api/schema'
import { useProgress } from './queries'
import { Figure, mutedText, Widget } from './widget'

type Profile = components['schemas']['Profile']
type LearnerProgress = components['schemas']['LearnerProgress']

export function StreakCard() {
  const t = useTranslations('dashboard.streak')
  const progress = useProgress()
  return (
    <Widget title={t('title')} query={progress}>
      {({ streakDays, activeDays }) => (
        <>
          <Figure value={streakDays} unit={t('unit', { count: streakDays })} />
          <p className={mutedText}>{streakDays === 0 ? t(activeDays === 0 ? 'emptyNew' : 'emptyLapsed') : t('activeDays', { count: activeDays })}</p>
        </>
      )}
    </Widget>
  )
}

/**
 * Minutes of practice. The API reports the total only (no per-week figure), so that is what the
 * card shows, and its label says so.
 */
export function PracticeTimeCard() {
  const t = useTranslations('dashboard.minutes')
  const format = useFormatter()
  const progress = useProgress()
  return (
    <Widget title={t('title')} query={progress}>
      {(data: LearnerProgress) => {
        const completed = Object.values(data.completedLessons).reduce((sum, count) => sum + count, 0)
        const minutes = Math.round(data.minutes)
        return (
          <>
            <Figure value={format.number(minutes)} unit={t('unit', { count: minutes })} />
            <p className={mutedText}>
              {data.minutes === 0 && completed === 0 && data.lessonsInProgress === 0 ? t('empty') : t('lessons', { completed, inProgress: data.lessonsInProgress })}
            </p>
          </>
        )
      }}
    </Widget>
  )
}

/** The API's level bands: A1–B2, and below A1 from a mock exam. */
export function useLevelName() {
  const t = useTranslations('dashboard.level')
  return (level: string) => (level === 'below_A1' ? t('belowA1') : level)
}

export function LevelCard({ profile }: { profile: Profile }) {
  const t = useTranslations('dashboard.level')
  const format = useFormatter()
  const levelName = useLevelName()
  const progress = useProgress()
  const date = (iso: string) => format.dateTime(new Date(iso), { dateStyle: 'medium', timeZone: profile.timeZone })
  return (
    <Widget title={t('title')} query={progress}>
      {({ cefrEstimate }) => (
        <>
          {cefrEstimate.level ? (
            <Figure value={levelName(cefrEstimate.level)} unit={cefrEstimate.assessedAt ? t('fromExam', { date: date(cefrEstimate.assessedAt) }) : cefrEstimate.source} />
          ) : (
            <div>
              <p className="text-xl font-semibold">{t('notAssessed')}</p>
              {/* The API gives its reason in English only. */}
              <p lang="en" className={mutedText}>
                {cefrEstimate.source}
              </p>
            </div>
          )}
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-600 dark:text-slate-400">{t('target')}</dt>
            <dd className="font-medium">{profile.targetLevel ?? t('noTarget')}</dd>
            <dt className="text-slate-600 dark:text-slate-400">{t('examGoal')}</dt>
            <dd className="font-medium">
              {profile.examGoal
                ? profile.examDate
                  ? t('examOn', { exam: profile.examGoal.replace('-', '–'), date: date(`${profile.examDate}T12:00:00Z`) })
                  : t('exam', { exam: profile.examGoal.replace('-', '–') })
                : t('noExam')}
            </dd>
          </dl>
          <Link href="/settings" className="text-sm font-medium text-blue-700 underline-offset-2 hover:underline dark:text-blue-300">
            {t('change')}
          </Link>
        </>
      )}
    </Widget>
  )
}

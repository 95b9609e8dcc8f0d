'use client'
import { useFormatter, useTranslations } from 'next-intl'
import { useMe } from '@/lib/queries'

/** Dates in the learner's own time zone (from the profile), in the UI language. */
export function useDates() {
  const format = useFormatter()
  const { data: me } = useMe()
  const zone = me?.timeZone ? { timeZone: me.timeZone } : {}
  return {
    dateTime: (iso: string) => format.dateTime(new Date(iso), { dateStyle: 'medium', timeStyle: 'short', ...zone }),
    date: (iso: string) => format.dateTime(new Date(iso), { dateStyle: 'full', ...zone }),
    time: (iso: string) => format.dateTime(new Date(iso), { timeStyle: 'short', ...zone }),
  }
}

/** Whole minutes of practice, with "under a minute" instead of 0. */
export function useMinutes() {
  const t = useTranslations('sittings.minutes')
  return (minutes: number | null | undefined) => {
    if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return t('unknown')
    if (minutes < 1) return t('underOne')
    return t('count', { count: Math.round(minutes) })
  }
}

/** A sitting's length: as measured by its summary, else from its start and end. */
export function sittingMinutes(sitting: { startedAt: string; endedAt: string | null; metrics: Record<string, number | undefined>; summary: { minutes?: number } | null }): number | null {
  const measured = sitting.metrics.minutes ?? sitting.summary?.minutes
  if (typeof measured === 'number') return measured
  if (!sitting.endedAt) return null
  return Math.max(0, (Date.parse(sitting.endedAt) - Date.parse(sitting.startedAt)) / 60_000)
}

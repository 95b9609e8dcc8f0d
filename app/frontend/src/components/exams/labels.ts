'use client'
import { useFormatter, useTranslations } from 'next-intl'
import type { EstimatedLevel } from './queries'

/**
 * Names of exam values (task types, criteria, levels, raters, turn roles) in the UI language. A value
 * the backend adds later, and this list does not know yet, is shown as it is.
 */
export function useExamLabels() {
  const t = useTranslations('exams.labels')
  const label = (group: string, value: string) => {
    const key = `${group}.${value}`
    return t.has(key) ? t(key) : value.replaceAll('_', ' ')
  }
  return {
    taskType: (taskType: string) => label('taskTypes', taskType),
    mode: (mode: string) => label('modes', mode),
    criterion: (criterion: string) => label('criteria', criterion),
    rater: (rater: string) => label('raters', rater),
    role: (role: string) => label('roles', role),
    level: (level: EstimatedLevel | string) => label('levels', level),
  }
}

/** A length of time as the test's programme gives it: "2 min", "30 s", "1 min 30 s". */
export function useDuration() {
  const t = useTranslations('exams.duration')
  return (seconds: number) => {
    const minutes = Math.floor(seconds / 60)
    const rest = seconds % 60
    if (minutes === 0) return t('seconds', { count: rest })
    if (rest === 0) return t('minutes', { count: minutes })
    return t('minutesSeconds', { minutes, seconds: rest })
  }
}

/** A measured figure in the UI language's number format; shares (the unit says so) as percentages. */
export function useMeasureValue() {
  const format = useFormatter()
  return (value: number, unit: string | undefined) =>
    unit?.includes('share') ? format.number(value, { style: 'percent', maximumFractionDigits: 1 }) : format.number(value, { maximumFractionDigits: 3 })
}

/** Position of a level on the result scale: below A1 = 0, A1 = 1 … B2 = 4. */
export const levelScale: readonly EstimatedLevel[] = ['below_A1', 'A1', 'A2', 'B1', 'B2']

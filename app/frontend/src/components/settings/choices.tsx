'use client'
import { useTranslations } from 'next-intl'
import type { Choice } from './fields'
import { cefrLevels, examGoals, type CefrLevel, type ExamGoal } from './save-profile'

/** A1–B2 with the official one-line descriptor of each level. */
export function useLevelChoices(): Array<Choice<CefrLevel>> {
  const t = useTranslations('settings.levels')
  return cefrLevels.map((level) => ({ value: level, label: level, description: t(level) }))
}

export type ExamChoice = ExamGoal | 'none'

/** The three oral tests (Norskprøven) and "no exam planned". */
export function useExamChoices(): Array<Choice<ExamChoice>> {
  const t = useTranslations('settings.exams')
  return [
    ...examGoals.map((goal) => ({ value: goal, label: t('name', { levels: goal.replace('-', '–') }), description: t(goal) })),
    { value: 'none' as const, label: t('none'), description: t('noneDescription') },
  ]
}

'use client'
import { useTranslations } from 'next-intl'
import { useId } from 'react'
import { themes, type Theme } from '@/theme/config'
import { useTheme } from './theme-provider'

/** A compact light / dark / system choice for page headers (settings has the full one). */
export function ThemeSelect() {
  const t = useTranslations('common.theme')
  const { theme, setTheme } = useTheme()
  const id = useId()
  return (
    <span className="inline-flex items-center gap-2 text-sm">
      <label htmlFor={id}>{t('label')}</label>
      <select
        id={id}
        className="rounded-md border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600"
        value={theme}
        onChange={(event) => setTheme(event.target.value as Theme)}
      >
        {themes.map((value) => (
          <option key={value} value={value}>
            {t(value)}
          </option>
        ))}
      </select>
    </span>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import { useTheme } from '@/components/theme/theme-provider'
import { themes, type Theme } from '@/theme/config'
import { RadioGroupField } from './fields'

/** Light, dark or as the device is set: applies at once and is kept on this device (not the profile). */
export function Appearance() {
  const t = useTranslations('settings.appearance')
  const names = useTranslations('common.theme')
  const { theme, setTheme } = useTheme()
  return (
    <RadioGroupField<Theme>
      legend={t('theme')}
      name="theme"
      hint={t('hint')}
      value={theme}
      onChange={setTheme}
      choices={themes.map((value) => ({ value, label: names(value), description: t(`descriptions.${value}`) }))}
    />
  )
}

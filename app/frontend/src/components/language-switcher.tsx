'use client'
import { useLocale, useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { useId, useTransition } from 'react'
import { localeCookie, locales, type Locale } from '@/i18n/config'

/** Switches the UI language: a cookie the server reads, then a refresh of the server-rendered page. */
export function LanguageSwitcher({ onChange }: { onChange?: (locale: Locale) => void | Promise<void> }) {
  const t = useTranslations('common.language')
  const current = useLocale()
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const id = useId()
  return (
    <span className="inline-flex items-center gap-2 text-sm">
      {/* A label beside (not around) the select, so its accessible name is just "Language". */}
      <label htmlFor={id}>{t('label')}</label>
      <select
        id={id}
        className="rounded-md border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-600"
        value={current}
        disabled={pending}
        onChange={(event) => {
          const locale = event.target.value as Locale
          document.cookie = `${localeCookie}=${locale}; path=/; max-age=31536000; samesite=lax`
          startTransition(async () => {
            await onChange?.(locale)
            router.refresh()
          })
        }}
      >
        {locales.map((locale) => (
          <option key={locale} value={locale}>
            {t(locale)}
          </option>
        ))}
      </select>
    </span>
  )
}

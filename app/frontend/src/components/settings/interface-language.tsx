'use client'
import { useTranslations } from 'next-intl'
import { useState } from 'react'
import { LanguageSwitcher } from '@/components/language-switcher'
import { FormError, Saved } from './form-status'
import { useSaveProfile } from './save-profile'

/**
 * The UI language applies at once on this device (cookie) and is saved to the profile, so other
 * devices and the mail we send follow it.
 */
export function InterfaceLanguage() {
  const t = useTranslations('settings.language')
  const save = useSaveProfile()
  const [error, setError] = useState<unknown>(null)
  return (
    <div className="flex flex-col gap-2">
      <LanguageSwitcher
        onChange={async (locale) => {
          setError(null)
          // The switcher refreshes the page after this; a failure must not escape into it.
          try {
            await save.mutateAsync({ locale })
          } catch (failure) {
            setError(failure)
          }
        }}
      />
      <p className="text-sm text-slate-600 dark:text-slate-400">{t('hint')}</p>
      <FormError error={error} fieldsShown={false} />
      <Saved show={save.isSuccess}>{t('saved')}</Saved>
    </div>
  )
}

'use client'
import { useTranslations } from 'next-intl'
import { useId, type ReactNode } from 'react'
import { Card } from '@/components/ui/card'
import { useMe } from '@/lib/queries'
import { Appearance } from './appearance'
import { DeleteAccount } from './delete-account'
import { ExportData } from './export-data'
import { InterfaceLanguage } from './interface-language'
import { PreferencesForm } from './preferences-form'
import { ProfileForm } from './profile-form'

function Section({ title, lead, children, tone }: { title: string; lead?: string; children: ReactNode; tone?: 'danger' }) {
  const id = useId()
  return (
    <Card aria-labelledby={id} className={`flex flex-col gap-4 ${tone === 'danger' ? 'border-red-200 dark:border-red-900' : ''}`}>
      <div>
        <h2 id={id} className="text-xl font-semibold">
          {title}
        </h2>
        {lead ? <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{lead}</p> : null}
      </div>
      {children}
    </Card>
  )
}

/** Profile, tutor preferences and data rights (export, delete). */
export function SettingsPage() {
  const t = useTranslations('settings')
  // The shell renders pages only once the profile has loaded.
  const { data: profile } = useMe()
  if (!profile) return null
  return (
    <div className="mx-auto flex max-w-2xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{t('title')}</h1>
        <p className="mt-1 text-slate-600 dark:text-slate-400">{t('signedInAs', { email: profile.email })}</p>
      </div>
      <Section title={t('language.title')}>
        <InterfaceLanguage />
      </Section>
      <Section title={t('appearance.title')}>
        <Appearance />
      </Section>
      <Section title={t('profile.title')} lead={t('profile.lead')}>
        <ProfileForm profile={profile} />
      </Section>
      <Section title={t('preferences.title')} lead={t('preferences.lead')}>
        <PreferencesForm profile={profile} />
      </Section>
      <Section title={t('export.title')}>
        <ExportData />
      </Section>
      <Section title={t('delete.title')} tone="danger">
        <DeleteAccount />
      </Section>
    </div>
  )
}

import { getTranslations } from 'next-intl/server'
import Link from 'next/link'
import { LanguageSwitcher } from '@/components/language-switcher'
import { ThemeSelect } from '@/components/theme/theme-select'

export default async function LandingPage() {
  const t = await getTranslations('landing')
  const common = await getTranslations('common')
  const features = ['talk', 'levels', 'exam'] as const
  return (
    <>
      <header className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-4">
        <span className="text-lg font-semibold">{common('appName')}</span>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <ThemeSelect />
          <LanguageSwitcher />
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl px-4 pb-16 pt-6">
        <h1 className="text-3xl font-semibold tracking-tight sm:text-4xl">{t('title')}</h1>
        <p className="mt-4 text-lg text-slate-700 dark:text-slate-300">{t('lead')}</p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/register" className="rounded-lg bg-blue-700 px-5 py-3 font-medium text-white hover:bg-blue-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2">
            {t('cta.start')}
          </Link>
          <Link href="/sign-in" className="rounded-lg border border-slate-300 px-5 py-3 font-medium hover:bg-slate-50 dark:border-slate-600 dark:hover:bg-slate-900">
            {t('cta.signIn')}
          </Link>
        </div>
        <ul className="mt-12 grid gap-6 sm:grid-cols-3">
          {features.map((feature) => (
            <li key={feature}>
              <h2 className="font-semibold">{t(`features.${feature}.title`)}</h2>
              <p className="mt-1 text-slate-700 dark:text-slate-300">{t(`features.${feature}.body`)}</p>
            </li>
          ))}
        </ul>
        <p className="mt-12 rounded-lg bg-slate-100 p-4 text-sm text-slate-700 dark:bg-slate-900 dark:text-slate-300">{t('offline')}</p>
      </main>
    </>
  )
}

import { getTranslations } from 'next-intl/server'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { LanguageSwitcher } from '@/components/language-switcher'
import { ThemeSelect } from '@/components/theme/theme-select'

/** Sign-in, registration, verification and password pages: one narrow column, phone first. */
export default async function AuthLayout({ children }: { children: ReactNode }) {
  const common = await getTranslations('common')
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-md flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-4">
        <Link href="/" className="rounded text-lg font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          {common('appName')}
        </Link>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <ThemeSelect />
          <LanguageSwitcher />
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-md flex-1 px-4 pb-16 pt-4 sm:pt-10">
        {children}
      </main>
    </div>
  )
}

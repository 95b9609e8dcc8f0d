import { getTranslations } from 'next-intl/server'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { LanguageSwitcher } from '@/components/language-switcher'

/** Sign-in, registration, verification and password pages: one narrow column, phone first. */
export default async function AuthLayout({ children }: { children: ReactNode }) {
  const common = await getTranslations('common')
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-md items-center justify-between gap-4 px-4 py-4">
        <Link href="/" className="rounded text-lg font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          {common('appName')}
        </Link>
        <LanguageSwitcher />
      </header>
      <main id="main" className="mx-auto w-full max-w-md flex-1 px-4 pb-16 pt-4 sm:pt-10">
        {children}
      </main>
    </div>
  )
}

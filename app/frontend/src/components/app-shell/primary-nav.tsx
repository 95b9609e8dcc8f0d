'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { navIcons } from './nav-icons'

export const navItems = [
  { key: 'home', href: '/home' },
  { key: 'talk', href: '/talk' },
  { key: 'lessons', href: '/lessons' },
  { key: 'exams', href: '/exams' },
  { key: 'history', href: '/history' },
  { key: 'settings', href: '/settings' },
] as const

/** The page a path belongs to: `/lessons/a1-greetings` is under Lessons. */
export function isCurrent(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`)
}

/**
 * One nav for every width: in the header from `lg` up, and a bottom bar on phones (six equal
 * cells, icon over label; a label may take two lines, which "Inn-stillinger" needs at 360 px, so
 * the Norwegian one carries a soft hyphen; tablets too, where six labelled links, the name and
 * "Logg ut" would crowd the header). It stays first in the DOM either way, so keyboard order is
 * the same everywhere.
 */
export function PrimaryNav({ pathname }: { pathname: string }) {
  const t = useTranslations('common.nav')
  return (
    <nav
      aria-label={t('main')}
      className="fixed inset-x-0 bottom-0 z-30 border-t border-slate-200 bg-white pb-[env(safe-area-inset-bottom)] lg:static lg:z-auto lg:border-0 lg:bg-transparent lg:pb-0 dark:border-slate-800 dark:bg-slate-950 lg:dark:bg-transparent"
    >
      <ul className="grid grid-cols-6 lg:flex lg:gap-1">
        {navItems.map(({ key, href }) => {
          const current = isCurrent(pathname, href)
          const Icon = navIcons[key]
          return (
            <li key={key} className="min-w-0">
              <Link
                href={href}
                aria-current={current ? 'page' : undefined}
                className={`flex min-h-14 flex-col items-center justify-center gap-0.5 px-0.5 text-xs font-medium focus-visible:outline focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-700 lg:min-h-10 lg:flex-row lg:gap-2 lg:rounded-lg lg:px-3 lg:text-sm ${
                  current
                    ? 'text-blue-700 lg:bg-blue-50 dark:text-blue-300 lg:dark:bg-blue-950'
                    : 'text-slate-600 hover:text-slate-900 lg:hover:bg-slate-100 dark:text-slate-400 dark:hover:text-slate-100 lg:dark:hover:bg-slate-800'
                }`}
              >
                <Icon className="size-6 shrink-0 lg:size-5" />
                <span className="line-clamp-2 max-w-full text-center leading-tight lg:line-clamp-none lg:whitespace-nowrap">{t(key)}</span>
              </Link>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}

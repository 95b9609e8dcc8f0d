'use client'
import { useLocale, useTranslations } from 'next-intl'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { useEffect, useState, type ReactNode } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { localeCookie } from '@/i18n/config'
import { ApiError } from '@/lib/api/client'
import { useMe } from '@/lib/queries'
import { ConnectionBanners } from './connection-banners'
import { isUnreachable } from './connection'
import { ONBOARDING_PATH, shellState, signInHref } from './guard'
import { PrimaryNav } from './primary-nav'
import { useSessionExpiry } from './session-expiry'
import { ShellSkeleton } from './shell-skeleton'
import { SignOutButton } from './sign-out-button'

/**
 * The signed-in frame of every page under `(app)`: header, navigation, connection banners, and the
 * guard. Pages render only for a signed-in learner who has finished onboarding; anyone else is sent
 * to sign in (and brought back afterwards) or to onboarding. The header and nav are drawn at once,
 * the page area holds a skeleton of the same size while the profile loads.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const t = useTranslations('common')
  const pathname = usePathname() ?? '/'
  const router = useRouter()
  const me = useMe()
  const state = shellState(me, pathname)
  const [signOutFailed, setSignOutFailed] = useState(false)
  const onboarding = pathname === ONBOARDING_PATH

  useEffect(() => {
    if (state.kind === 'signed-out') router.replace(signInHref(pathname, window.location.search))
    else if (state.kind === 'needs-onboarding') router.replace(ONBOARDING_PATH)
  }, [state.kind, pathname, router])

  useProfileLocale(state.kind === 'ready' ? state.profile.locale : undefined)
  useSessionExpiry()

  let content: ReactNode
  if (state.kind === 'ready') content = children
  else if (state.kind === 'failed' && !isUnreachable(state.error)) {
    content = (
      <div className="flex flex-col items-start gap-3">
        <Alert tone="error">
          <p>{t('error.generic')}</p>
          {state.error instanceof ApiError && state.error.problem.requestId ? <p className="mt-1 text-xs">{t('error.requestId', { id: state.error.problem.requestId })}</p> : null}
        </Alert>
        <Button variant="secondary" busy={me.isFetching} onClick={() => void me.refetch()}>
          {t('backendDown.retry')}
        </Button>
      </div>
    )
  } else content = <ShellSkeleton />

  return (
    <div className="flex min-h-dvh flex-col">
      {/* Opaque, no backdrop-filter: a filter would make the header the containing block of the phone
          nav inside it (position: fixed), pinning the "bottom" bar to the header. */}
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950">
        <div className="mx-auto flex h-14 max-w-5xl items-center gap-4 px-4">
          <Link href="/home" className="rounded text-lg font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
            {t('appName')}
          </Link>
          {/* Until onboarding is done every other page sends the learner back, so no nav yet. */}
          {onboarding ? null : <PrimaryNav pathname={pathname} />}
          <div className="ml-auto">
            <SignOutButton onFailure={setSignOutFailed} />
          </div>
        </div>
      </header>
      <ConnectionBanners />
      {signOutFailed ? (
        <div className="mx-auto w-full max-w-5xl px-4 pt-4">
          <Alert tone="error">{t('shell.signOutFailed')}</Alert>
        </div>
      ) : null}
      <main id="main" tabIndex={-1} className={`mx-auto w-full max-w-5xl flex-1 px-4 pt-6 focus:outline-none ${onboarding ? 'pb-10' : 'pb-24 lg:pb-10'}`}>
        {content}
      </main>
    </div>
  )
}

/**
 * On a device where the learner never picked a language, the UI follows the profile's language
 * (chosen on another device or in settings). A cookie already set is this device's latest explicit
 * choice and wins.
 */
function useProfileLocale(profileLocale: 'en' | 'nb' | undefined) {
  const locale = useLocale()
  const router = useRouter()
  useEffect(() => {
    if (!profileLocale || profileLocale === locale) return
    if (document.cookie.split('; ').some((entry) => entry.startsWith(`${localeCookie}=`))) return
    document.cookie = `${localeCookie}=${profileLocale}; path=/; max-age=31536000; samesite=lax`
    router.refresh()
  }, [profileLocale, locale, router])
}

import type { Metadata, Viewport } from 'next'
import { NextIntlClientProvider } from 'next-intl'
import { getLocale, getTranslations } from 'next-intl/server'
import type { ReactNode } from 'react'
import { ServiceWorkerRegistration } from '@/components/pwa/service-worker-registration'
import { ThemeProvider } from '@/components/theme/theme-provider'
import { themeColors } from '@/theme/config'
import { requestTheme } from '@/theme/request'
import { Providers } from './providers'
import './globals.css'

// Every page is rendered per request: its scripts carry the response's CSP nonce (set by the
// backend), which a prerendered page could not.
export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: 'Avaaz',
  description: 'A speaking coach for adult learners of Norwegian (Bokmål), A1 to B2, with a focus on the oral Norskprøven.',
  applicationName: 'Avaaz',
  // The web app manifest is linked by app/manifest.ts; the files come from scripts/render-icons.mjs.
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/icons/icon.svg', type: 'image/svg+xml' },
    ],
    apple: [{ url: '/icons/apple-touch-icon.png', sizes: '180x180' }],
  },
  appleWebApp: { capable: true, title: 'Avaaz', statusBarStyle: 'default' },
}

/** The toolbar colour follows the chosen look, or the device's when the learner has not chosen. */
export async function generateViewport(): Promise<Viewport> {
  const theme = await requestTheme()
  return {
    width: 'device-width',
    initialScale: 1,
    themeColor:
      theme === 'system'
        ? [
            { media: '(prefers-color-scheme: light)', color: themeColors.light },
            { media: '(prefers-color-scheme: dark)', color: themeColors.dark },
          ]
        : themeColors[theme],
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale()
  const theme = await requestTheme()
  const t = await getTranslations('common')
  return (
    // data-theme drives Tailwind's `dark:` variant (globals.css). The offline page is cached by the
    // service worker, which puts the learner's theme into this attribute when it serves it.
    <html lang={locale === 'nb' ? 'nb' : 'en'} data-theme={theme} suppressHydrationWarning>
      <body className="min-h-dvh bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-blue-700 focus:px-3 focus:py-2 focus:text-white">
          {t('skipToContent')}
        </a>
        <NextIntlClientProvider>
          <ThemeProvider initialTheme={theme}>
            <Providers>{children}</Providers>
          </ThemeProvider>
        </NextIntlClientProvider>
        <ServiceWorkerRegistration />
      </body>
    </html>
  )
}

/** UI languages (the backend's `users.locale`). */
export const locales = ['en', 'nb'] as const
export type Locale = (typeof locales)[number]
export const defaultLocale: Locale = 'en'

/** The cookie that carries the chosen UI language (set by the language switcher and settings). */
export const localeCookie = 'avaaz-locale'

/**
 * Message files, one per area of the app (`messages/<locale>/<namespace>.json`), so areas can be
 * translated and reviewed apart. Every namespace exists in every locale (a test checks the keys).
 */
export const namespaces = ['common', 'landing', 'auth', 'onboarding', 'dashboard', 'talk', 'lessons', 'sittings', 'exams', 'settings'] as const
export type Namespace = (typeof namespaces)[number]

/** The best UI language for an Accept-Language header: Norwegian (nb, no, nn) or English. */
export function localeFromAcceptLanguage(header: string | null): Locale {
  if (!header) return defaultLocale
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';')
      const q = params.find((param) => param.trim().startsWith('q='))
      return { tag, q: q ? Number(q.trim().slice(2)) : 1 }
    })
    .filter((entry) => entry.tag && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q)
  for (const { tag } of ranked) {
    const language = tag.split('-')[0]
    if (language === 'nb' || language === 'no' || language === 'nn') return 'nb'
    if (language === 'en') return 'en'
  }
  return defaultLocale
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value)
}

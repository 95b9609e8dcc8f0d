import { getRequestConfig } from 'next-intl/server'
import { cookies, headers } from 'next/headers'
import { isLocale, localeCookie, localeFromAcceptLanguage, namespaces, type Locale } from './config'

/** The UI language of a request: the learner's choice (cookie), else the browser's languages. */
export async function requestLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(localeCookie)?.value
  if (isLocale(chosen)) return chosen
  return localeFromAcceptLanguage((await headers()).get('accept-language'))
}

export default getRequestConfig(async () => {
  const locale = await requestLocale()
  const files = await Promise.all(
    namespaces.map(async (namespace) => [namespace, (await import(`../../messages/${locale}/${namespace}.json`)).default] as const),
  )
  return { locale, messages: Object.fromEntries(files) }
})

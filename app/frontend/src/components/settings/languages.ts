/**
 * Languages offered for "native language" and "explanation language": those most spoken by adults
 * learning Norwegian in Norway, and the big European ones. Anything else can be typed as a code.
 * Names come from the browser (Intl.DisplayNames) in the UI language, so no list to translate.
 */
export const nativeLanguageCodes = [
  'am', 'ar', 'bn', 'bs', 'da', 'de', 'en', 'es', 'fa', 'fil', 'fr', 'hi', 'hr', 'it', 'ku', 'lt', 'lv', 'ne', 'nl', 'pl',
  'prs', 'ps', 'pt', 'ro', 'ru', 'so', 'sq', 'sr', 'sv', 'sw', 'ta', 'th', 'ti', 'tr', 'uk', 'ur', 'vi', 'zh',
] as const

/** The tutor can also explain in (simple) Norwegian. */
export const explanationLanguageCodes = ['nb', ...nativeLanguageCodes] as const

/** The shape the API accepts for a language (ISO 639 code, optionally a BCP 47 subtag). */
export const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/

const displayNames = new Map<string, Intl.DisplayNames>()

export function languageName(code: string, uiLocale: string): string {
  try {
    let names = displayNames.get(uiLocale)
    if (!names) displayNames.set(uiLocale, (names = new Intl.DisplayNames([uiLocale], { type: 'language', fallback: 'code' })))
    const name = names.of(code)
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(uiLocale) + name.slice(1) : code
  } catch {
    return code
  }
}

/** Codes with their names, sorted by name in the UI language; `extra` (a saved value not in the list) is kept. */
export function languageOptions(codes: readonly string[], uiLocale: string, extra?: string | null): Array<{ value: string; label: string }> {
  const all = extra && !codes.includes(extra) && LANGUAGE_CODE.test(extra) ? [...codes, extra] : [...codes]
  const collator = new Intl.Collator(uiLocale)
  return all.map((code) => ({ value: code, label: languageName(code, uiLocale) })).sort((a, b) => collator.compare(a.label, b.label))
}

/** Every IANA time zone the browser knows, with `current` kept if it is not among them (e.g. "UTC"). */
export function timeZoneOptions(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return zones.includes(current) ? zones : [current, ...zones]
}

export function deviceTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

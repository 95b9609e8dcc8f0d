// @vitest-environment node
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { localeFromAcceptLanguage, locales, namespaces } from './config'

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key))
}

function messages(locale: string, namespace: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../messages/${locale}/${namespace}.json`, import.meta.url)), 'utf8'))
}

describe('UI messages', () => {
  it.each(namespaces)('%s has the same keys in every language, none empty', (namespace) => {
    const [first, ...rest] = locales.map((locale) => ({ locale, messages: messages(locale, namespace) }))
    const reference = keys(first!.messages).sort()
    for (const { messages: other } of rest) expect(keys(other).sort()).toEqual(reference)
    for (const { messages: all } of [first!, ...rest]) {
      expect(JSON.stringify(all)).not.toMatch(/:\s*""/)
    }
  })
})

describe('UI language from the browser', () => {
  it('prefers Norwegian (nb, no, nn) or English by quality, defaulting to English', () => {
    expect(localeFromAcceptLanguage('nb-NO,nb;q=0.9,en;q=0.8')).toBe('nb')
    expect(localeFromAcceptLanguage('nn')).toBe('nb')
    expect(localeFromAcceptLanguage('en-US,en;q=0.9,no;q=0.5')).toBe('en')
    expect(localeFromAcceptLanguage('de-DE,no;q=0.7')).toBe('nb')
    expect(localeFromAcceptLanguage('ar')).toBe('en')
    expect(localeFromAcceptLanguage(null)).toBe('en')
  })
})

'use client'
import { useTranslations } from 'next-intl'

/**
 * Names of curriculum values (topics, exam tags, lesson types, scenario kinds) in the UI language.
 * A value the content pack adds later, and this list does not know yet, is shown as it is.
 */
export function useLabels() {
  const t = useTranslations('lessons.labels')
  const label = (group: string, value: string) => {
    const key = `${group}.${value}`
    return t.has(key) ? t(key) : value.replaceAll('_', ' ')
  }
  return {
    topic: (topic: string) => label('topics', topic),
    examTag: (tag: string) => label('examTags', tag),
    type: (type: string) => label('types', type),
    scenarioKind: (kind: string) => label('scenarioKinds', kind),
    mode: (mode: string) => label('modes', mode),
  }
}

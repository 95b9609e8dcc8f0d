import type { paths } from '@/lib/api/schema'

/** What `/talk?lesson=…&step=…` or `/talk?mode=free&topic=…` asks for: the session's mode change. */
export type TalkIntent = paths['/api/v1/sessions/default']['patch']['requestBody']['content']['application/json']
type FreeTopic = Extract<TalkIntent, { mode: 'free' }>['topic']

type SearchParams = Record<string, string | string[] | undefined>

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined

/**
 * The mode change a talk link asks for, or null. Values are only checked for shape here; the server
 * says whether the lesson, step or topic exists.
 */
export function talkIntentFrom(params: SearchParams): TalkIntent | null {
  const lesson = one(params.lesson)
  if (lesson && lesson.length <= 200) {
    const step = one(params.step)
    return { mode: 'lesson', lesson, ...(step && /^\d{1,4}$/.test(step) ? { step: Number(step) } : {}) }
  }
  if (one(params.mode) === 'free') {
    const topic = one(params.topic)
    return { mode: 'free', ...(topic && /^[a-z_]{2,40}$/.test(topic) ? { topic: topic as FreeTopic } : {}) }
  }
  return null
}

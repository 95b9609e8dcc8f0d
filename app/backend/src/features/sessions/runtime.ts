import type { z } from 'zod'
import { createAiModels, type AiModels } from '../../core/ai/provider.js'
import type { Config } from '../../core/config.js'
import { KeyedLock } from '../../core/keyed-lock.js'
import { readConversationBank, type ConversationBank, type PictureCatalog } from '../curriculum/content-pack.js'
import { LlmTutor } from '../tutor/llm-tutor.js'
import { OfflineTutor, type PictureLookup } from '../tutor/offline/offline-tutor.js'
import type { TutorEngine } from '../tutor/types.js'
import type { capabilitiesSchema } from './schema.js'

/** What the tutor runs on in this deployment: models, engines, conversation bank and the per-session turn lock. */
export interface TutorRuntime {
  ai: AiModels
  /** Replies to turns: the language-model tutor when a provider is configured, the scripted one otherwise. */
  engine: TutorEngine
  /** Lesson and topic openings are scripted with every provider, so they never fail and cost nothing. */
  offline: OfflineTutor
  bank: ConversationBank
  lock: KeyedLock
  pictures: PictureLookup
  capabilities: z.infer<typeof capabilitiesSchema>
}

declare module 'fastify' {
  interface FastifyInstance {
    tutor: TutorRuntime
  }
}

export function createTutorRuntime(config: Config, catalog: PictureCatalog, ai: AiModels = createAiModels(config.ai)): TutorRuntime {
  const bank = readConversationBank(config.contentDir)
  const bySlug = new Map(catalog.pictures.map((picture) => [picture.slug, picture]))
  const pictures: PictureLookup = (slug) => {
    const picture = bySlug.get(slug)
    return picture ? { title: picture.titleNb, url: `/api/v1/curriculum/pictures/${picture.slug}.svg` } : null
  }
  const offline = new OfflineTutor(bank, pictures)
  const engine = ai.tutor ? new LlmTutor(ai.provider, ai.tutor, pictures, bank) : offline
  const isOffline = ai.provider === 'offline'
  return {
    ai,
    engine,
    offline,
    bank,
    lock: new KeyedLock(),
    pictures,
    capabilities: {
      tutor: { engine: ai.provider, model: ai.modelName },
      ...voiceCapabilities(config),
      offline: isOffline,
      limitations: isOffline
        ? [
            'The offline tutor follows the lesson scripts and question banks. It cannot understand free speech or answer your questions.',
            'Its feedback comes from what it can check: how much you said, the lesson words and phrases you used, and a set of grammar rules.',
            'Summaries after a sitting are built from these measurements, not written by an AI.',
          ]
        : [],
    },
  }
}

/** What real-time voice runs on here, in words for the learner. */
function voiceCapabilities(config: Config): Pick<z.infer<typeof capabilitiesSchema>, 'speechToText' | 'speech' | 'transport' | 'realtime'> {
  const { voice } = config
  if (!voice.enabled) {
    return {
      speechToText: { engine: 'browser', note: 'Speech is recognised by the browser where it can (Chrome, Edge, Safari); otherwise type your answers.' },
      speech: { engine: 'browser', note: "The tutor's replies are read aloud by the browser's own voices where it has Norwegian ones." },
      transport: 'text',
      realtime: null,
    }
  }
  return {
    speechToText:
      voice.speechToText.kind === 'openai'
        ? { engine: 'openai', note: 'Your speech is transcribed on the server.' }
        : { engine: 'browser', note: 'Your speech is recognised by the browser where it can (Chrome, Edge, Safari); otherwise type your answers.' },
    speech:
      voice.speech.kind === 'openai'
        ? { engine: 'openai', note: "The tutor speaks with a natural voice." }
        : { engine: 'espeak', note: "The tutor speaks with a synthetic offline voice (espeak-ng): clear, but robotic." },
    transport: config.livekit ? 'livekit' : 'websocket',
    realtime: voice.realtime
      ? {
          engine: voice.realtime.provider === 'openai' ? 'openai-realtime' : 'gemini-live',
          model: voice.realtime.model,
          note: 'In free conversation the tutor hears you and answers in its own voice, with no pause to transcribe. Lessons and mock exams use the speech engines above.',
        }
      : null,
  }
}

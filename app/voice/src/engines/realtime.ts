import type { llm } from '@livekit/agents'
import * as google from '@livekit/agents-plugin-google'
import * as openai from '@livekit/agents-plugin-openai'
import type { RealtimeModelConfig } from '../types.js'

/** OpenAI's transcription model for the learner's side of a realtime conversation, unless configured. */
export const DEFAULT_REALTIME_TRANSCRIPTION_MODEL = 'gpt-4o-mini-transcribe'

/**
 * A speech-to-speech model through LiveKit's plugin for it, with the model's own turn detection off:
 * the pipeline's VAD ends the learner's turn (with the silence their level needs), commits the audio
 * and asks for the reply, so turn-taking is the same whichever engines run. The learner's speech is
 * transcribed by the model's service for the transcript.
 */
export function createRealtimeModel(config: RealtimeModelConfig, language: string): llm.RealtimeModel {
  if (config.provider === 'openai') {
    return new openai.realtime.RealtimeModel({
      apiKey: config.apiKey,
      model: config.model,
      voice: config.voice,
      ...(config.baseURL ? { baseURL: config.baseURL } : {}),
      modalities: ['audio'],
      turnDetection: null,
      inputAudioTranscription: { model: config.transcriptionModel ?? DEFAULT_REALTIME_TRANSCRIPTION_MODEL, language: primaryLanguage(language) },
    })
  }
  return new google.realtime.RealtimeModel({
    apiKey: config.apiKey,
    model: config.model,
    voice: config.voice,
    language: geminiLanguage(language),
    ...(config.baseURL ? { httpOptions: { baseUrl: config.baseURL } } : {}),
    realtimeInputConfig: { automaticActivityDetection: { disabled: true } },
  })
}

/** A readable name of the model, for the record: `openai:gpt-realtime`. */
export function realtimeModelName(config: RealtimeModelConfig): string {
  return `${config.provider}:${config.model}`
}

/** ISO 639-1 for OpenAI's transcription, which names Norwegian `no` (`nb-NO` → `no`). */
function primaryLanguage(language: string): string {
  const primary = language.split('-')[0]!.toLowerCase()
  return primary === 'nb' ? 'no' : primary
}

/** Gemini Live names languages with a region (`nb-NO`). */
function geminiLanguage(language: string): string {
  const primary = language.split('-')[0]!.toLowerCase()
  return primary === 'nb' || primary === 'no' ? 'nb-NO' : language
}

import type { llm } from '@livekit/agents'
import * as google from '@livekit/agents-plugin-google'
import * as openai from '@livekit/agents-plugin-openai'
import { AudioFrame } from '@livekit/rtc-node'
import { WebSocket } from 'ws'
import { StreamResampler } from '../resampler.js'
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
    return new OpenAIRealtimeModel({
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

/** The session's members replaced below (public in the plugin's JavaScript, private in its types). */
interface PatchableSession {
  readonly oaiRealtimeModel: { sampleRate: number }
  emitError(error: { error: unknown; recoverable: boolean }): void
  _options: { apiKey?: string; baseURL: string; model: string; connOptions: { timeoutMs: number } }
}

/**
 * LiveKit's OpenAI realtime session with two fixes (plugin 1.9.0):
 * - it sends input audio at whatever rate it gets while declaring 24 kHz; the session hears at
 *   16 kHz, so the audio is converted here (the Gemini plugin converts itself);
 * - while connecting it has no error listener on its socket, so a refused key (HTTP 401) or a refused
 *   connection would be an uncaught exception that ends the whole process; here it is a failed
 *   connection, reported as the model's error (the plugin itself would end its session silently).
 * They replace the session's methods on its prototype: its constructor already connects.
 */
class OpenAIRealtimeSession extends openai.realtime.RealtimeSession {}
const resamplers = new WeakMap<object, StreamResampler>()
Object.assign(OpenAIRealtimeSession.prototype, {
  *resampleAudio(this: PatchableSession, frame: AudioFrame): Generator<AudioFrame> {
    const rate = this.oaiRealtimeModel.sampleRate
    if (frame.sampleRate === rate) return yield frame
    let resampler = resamplers.get(this)
    if (resampler?.fromRate !== frame.sampleRate) resamplers.set(this, (resampler = new StreamResampler(frame.sampleRate, rate)))
    const data = resampler.push(frame.data)
    if (data.length > 0) yield new AudioFrame(data, rate, 1, data.length)
  },
  async createWsConn(this: PatchableSession): Promise<WebSocket> {
    try {
      return await connectRealtime(this._options)
    } catch (error) {
      // The plugin ends its session on a failed connection without a word: say why, so the learner is told.
      this.emitError({ error, recoverable: false })
      throw error
    }
  },
})

class OpenAIRealtimeModel extends openai.realtime.RealtimeModel {
  override session(): openai.realtime.RealtimeSession {
    return new OpenAIRealtimeSession(this)
  }
}

function connectRealtime(options: PatchableSession['_options']): Promise<WebSocket> {
  const url = openai.realtime.processBaseURL({ baseURL: options.baseURL, model: options.model, isAzure: false })
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { 'User-Agent': 'LiveKit-Agents-JS', Authorization: `Bearer ${options.apiKey ?? ''}` } })
    const fail = (error: Error) => {
      clearTimeout(timer)
      socket.removeAllListeners()
      // Any later error of this socket is nobody's concern, and must not be thrown either.
      socket.on('error', () => undefined)
      socket.terminate()
      reject(error)
    }
    const timer = setTimeout(() => fail(new Error('OpenAI Realtime API: connection timed out')), options.connOptions.timeoutMs)
    socket.once('error', (error) => fail(new Error(`OpenAI Realtime API: ${error.message}`)))
    socket.once('close', () => fail(new Error('OpenAI Realtime API: connection closed')))
    socket.once('open', () => {
      clearTimeout(timer)
      socket.removeAllListeners()
      resolve(socket)
    })
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

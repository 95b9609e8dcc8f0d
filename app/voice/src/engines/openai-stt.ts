import { type APIConnectOptions, type AudioBuffer, asLanguageCode, shortuuid, stt } from '@livekit/agents'
import type { AudioFrame } from '@livekit/rtc-node'
import { encodeWav } from '../wav.js'

export interface OpenAITranscriptionOptions {
  apiKey: string
  model: string
  /** Default https://api.openai.com/v1 (any server speaking the same protocol will do). */
  baseURL?: string
  /** ISO-639-1 (default `nb`). */
  language?: string
  /** Give up on one segment after this long (default 30 s). */
  timeoutMs?: number
  /** A segment could not be transcribed; the learner should say it again. */
  onError?(error: Error): void
}

/** What the transcription of one speech segment gave, beyond its text. */
export interface SegmentTranscription {
  /**
   * When the segment's audio began (ms since the epoch), estimated as "it ends now": it includes the
   * VAD's padding before the speech and the silence after it.
   */
  audioStartedAt: number
  audioMs: number
  /** Word timings from the start of the segment's audio, when the server gave any. */
  words: { word: string; startMs: number; endMs: number }[]
}

interface TranscriptionResponse {
  text?: unknown
  words?: unknown
}

/**
 * Speech-to-text over OpenAI's `POST /audio/transcriptions` (multipart: a WAV of one speech segment,
 * model, language, response_format json). It is not a streaming engine: the session runs it once per
 * stretch of speech that the VAD cuts out (LiveKit's `stt.StreamAdapter`). Word timings are kept when
 * the server returns `words`.
 *
 * A failed request is reported through `onError` and gives an empty transcript (the segment is
 * skipped) rather than an exception, so the session goes on listening.
 */
export class OpenAITranscriptionSTT extends stt.STT {
  label = 'avaaz.OpenAITranscriptionSTT'
  readonly #options: Required<Omit<OpenAITranscriptionOptions, 'onError'>> & Pick<OpenAITranscriptionOptions, 'onError'>
  readonly #segments = new Map<string, SegmentTranscription>()

  constructor(options: OpenAITranscriptionOptions) {
    super({ streaming: false, interimResults: false })
    if (!options.model) throw new Error('OpenAITranscriptionSTT: model is required')
    this.#options = {
      apiKey: options.apiKey,
      model: options.model,
      baseURL: (options.baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, ''),
      language: options.language ?? 'nb',
      timeoutMs: options.timeoutMs ?? 30_000,
      onError: options.onError,
    }
  }

  override get model(): string {
    return this.#options.model
  }

  override get provider(): string {
    return 'openai'
  }

  /** The details of a transcription this STT returned (by its event's requestId), once. */
  takeSegment(requestId: string | undefined): SegmentTranscription | undefined {
    if (!requestId) return undefined
    const segment = this.#segments.get(requestId)
    this.#segments.delete(requestId)
    return segment
  }

  protected async _recognize(buffer: AudioBuffer, abortSignal?: AbortSignal): Promise<stt.SpeechEvent> {
    const requestId = shortuuid('stt_')
    const { samples, sampleRate } = mergeFrames(Array.isArray(buffer) ? buffer : [buffer])
    const audioMs = (samples.length / sampleRate) * 1000
    // The segment handed over ends where the VAD declared the end of speech, i.e. about now.
    const audioStartedAt = Date.now() - audioMs
    const language = this.#options.language
    let text = ''
    try {
      const response = await this.#request(encodeWav(samples, sampleRate), abortSignal)
      text = typeof response.text === 'string' ? response.text.trim() : ''
      const words = parseWords(response.words)
      if (text) {
        this.#segments.set(requestId, { audioStartedAt, audioMs, words })
        // A session that never takes them (turn discarded) must not grow this map.
        if (this.#segments.size > 64) this.#segments.delete(this.#segments.keys().next().value!)
      }
    } catch (error) {
      if (!abortSignal?.aborted) this.#options.onError?.(error instanceof Error ? error : new Error(String(error)))
    }
    return {
      type: stt.SpeechEventType.FINAL_TRANSCRIPT,
      requestId,
      alternatives: [{ text, language: asLanguageCode(language), startTime: 0, endTime: audioMs / 1000, confidence: text ? 1 : 0 }],
    }
  }

  async #request(wav: Buffer, abortSignal: AbortSignal | undefined): Promise<TranscriptionResponse> {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength)], { type: 'audio/wav' }), 'speech.wav')
    form.append('model', this.#options.model)
    form.append('language', this.#options.language)
    form.append('response_format', 'json')
    const timeout = AbortSignal.timeout(this.#options.timeoutMs)
    const response = await fetch(`${this.#options.baseURL}/audio/transcriptions`, {
      method: 'POST',
      headers: this.#options.apiKey ? { authorization: `Bearer ${this.#options.apiKey}` } : {},
      body: form,
      signal: abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout,
    })
    if (!response.ok) {
      // The body may hold the provider's explanation; it never holds what the learner said.
      const detail = (await response.text().catch(() => '')).slice(0, 200)
      throw new Error(`speech-to-text answered ${response.status}${detail ? `: ${detail}` : ''}`)
    }
    return (await response.json()) as TranscriptionResponse
  }

  stream(_options?: { connOptions?: APIConnectOptions }): stt.SpeechStream {
    throw new Error('OpenAITranscriptionSTT transcribes whole segments; the session wraps it in an stt.StreamAdapter with a VAD')
  }
}

function mergeFrames(frames: AudioFrame[]): { samples: Int16Array; sampleRate: number } {
  const sampleRate = frames[0]?.sampleRate ?? 16_000
  if (frames.length === 1) return { samples: frames[0]!.data, sampleRate }
  const samples = new Int16Array(frames.reduce((total, frame) => total + frame.data.length, 0))
  let offset = 0
  for (const frame of frames) {
    samples.set(frame.data, offset)
    offset += frame.data.length
  }
  return { samples, sampleRate }
}

function parseWords(value: unknown): SegmentTranscription['words'] {
  if (!Array.isArray(value)) return []
  const words: SegmentTranscription['words'] = []
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) continue
    const { word, start, end } = item as { word?: unknown; start?: unknown; end?: unknown }
    if (typeof word !== 'string' || typeof start !== 'number' || typeof end !== 'number') continue
    words.push({ word: word.trim(), startMs: start * 1000, endMs: end * 1000 })
  }
  return words
}

import { type APIConnectOptions, shortuuid, tts } from '@livekit/agents'
import { AudioFrame } from '@livekit/rtc-node'

export interface OpenAISpeechOptions {
  apiKey: string
  model: string
  voice: string
  /** Default https://api.openai.com/v1 (any server speaking the same protocol will do). */
  baseURL?: string
  /** Give up on one sentence after this long without audio (default 20 s). */
  timeoutMs?: number
  /** A sentence could not be synthesised; the reply's text is still delivered. */
  onError?(error: Error): void
}

/** OpenAI's `pcm` format: 24 kHz mono PCM16 little-endian, no header. */
export const OPENAI_PCM_SAMPLE_RATE = 24_000
const FRAME_MS = 20

/**
 * Speech over OpenAI's `POST /audio/speech` (`response_format: pcm`), one request per sentence,
 * the body read as it streams in. Failures are reported through `onError` and give no audio rather
 * than an exception (see EspeakTTS).
 */
export class OpenAISpeechTTS extends tts.TTS {
  label = 'avaaz.OpenAISpeechTTS'
  readonly options: Required<Omit<OpenAISpeechOptions, 'onError'>> & Pick<OpenAISpeechOptions, 'onError'>

  constructor(options: OpenAISpeechOptions) {
    super(OPENAI_PCM_SAMPLE_RATE, 1, { streaming: false })
    if (!options.model) throw new Error('OpenAISpeechTTS: model is required')
    if (!options.voice) throw new Error('OpenAISpeechTTS: voice is required')
    this.options = {
      apiKey: options.apiKey,
      model: options.model,
      voice: options.voice,
      baseURL: (options.baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, ''),
      timeoutMs: options.timeoutMs ?? 20_000,
      onError: options.onError,
    }
  }

  override get model(): string {
    return this.options.model
  }

  override get provider(): string {
    return 'openai'
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new OpenAISpeechStream(this, text, connOptions, abortSignal)
  }

  stream(): tts.SynthesizeStream {
    throw new Error('OpenAISpeechTTS synthesises sentence by sentence; the session wraps it in a tts.StreamAdapter')
  }
}

class OpenAISpeechStream extends tts.ChunkedStream {
  label = 'avaaz.OpenAISpeechStream'
  readonly #tts: OpenAISpeechTTS

  constructor(owner: OpenAISpeechTTS, text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal) {
    super(text, owner, connOptions, abortSignal)
    this.#tts = owner
  }

  protected async run(): Promise<void> {
    const text = this.inputText.trim()
    if (!text || this.abortSignal.aborted) return
    const { apiKey, model, voice, baseURL, timeoutMs, onError } = this.#tts.options
    const requestId = shortuuid('tts_')
    const frameSamples = Math.round((OPENAI_PCM_SAMPLE_RATE * FRAME_MS) / 1000)
    let pending = new Int16Array(frameSamples)
    let pendingLength = 0
    let odd: number | null = null
    let held: AudioFrame | null = null
    let frames = 0
    const emit = (frame: AudioFrame) => {
      if (held) this.queue.put({ requestId, segmentId: requestId, frame: held, final: false })
      held = frame
      frames++
    }
    try {
      const response = await fetch(`${baseURL}/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ model, voice, input: text, response_format: 'pcm' }),
        signal: AbortSignal.any([this.abortSignal, AbortSignal.timeout(timeoutMs)]),
      })
      if (!response.ok || !response.body) {
        const detail = (await response.text().catch(() => '')).slice(0, 200)
        throw new Error(`speech answered ${response.status}${detail ? `: ${detail}` : ''}`)
      }
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        if (odd !== null) bytes = Buffer.concat([Buffer.from([odd]), bytes])
        odd = bytes.length & 1 ? bytes[bytes.length - 1]! : null
        for (let index = 0; index + 1 < bytes.length; index += 2) {
          pending[pendingLength++] = bytes.readInt16LE(index)
          if (pendingLength === frameSamples) {
            emit(new AudioFrame(pending, OPENAI_PCM_SAMPLE_RATE, 1, frameSamples))
            pending = new Int16Array(frameSamples)
            pendingLength = 0
          }
        }
      }
      if (pendingLength > 0) emit(new AudioFrame(pending.slice(0, pendingLength), OPENAI_PCM_SAMPLE_RATE, 1, pendingLength))
      if (held) this.queue.put({ requestId, segmentId: requestId, frame: held, final: true })
      if (frames === 0) throw new Error('speech gave no audio')
    } catch (error) {
      if (!this.abortSignal.aborted) onError?.(error instanceof Error ? error : new Error(String(error)))
    }
  }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { type APIConnectOptions, shortuuid, tts } from '@livekit/agents'
import { AudioFrame } from '@livekit/rtc-node'
import { WavStreamReader } from '../wav.js'

export interface EspeakTTSOptions {
  /** espeak-ng voice (default `nb`, Norwegian Bokmål). */
  voice?: string
  /** The espeak-ng binary (default `espeak-ng` on the PATH). */
  command?: string
  /** Speaking rate in words per minute (espeak's default is 175; slower suits learners). */
  wordsPerMinute?: number
  /** espeak-ng could not be run or produced no audio; the reply's text is still delivered. */
  onError?(error: Error): void
}

/** What espeak-ng writes: 22.05 kHz mono PCM16. */
export const ESPEAK_SAMPLE_RATE = 22_050
const FRAME_MS = 20

/**
 * espeak-ng as the session's speech: one process per sentence (the session splits the reply into
 * sentences for a non-streaming TTS), text on stdin, WAV on stdout read as it arrives, so the first
 * frame goes out while the rest is still being synthesised. espeak-ng is GPL: it runs as a separate
 * program and is never linked in.
 *
 * A failure to run it is reported through `onError` and yields no audio instead of throwing:
 * LiveKit would close the session after a few TTS errors, and the reply's text must still arrive.
 */
export class EspeakTTS extends tts.TTS {
  label = 'avaaz.EspeakTTS'
  readonly voice: string
  readonly command: string
  readonly wordsPerMinute: number
  readonly #onError: ((error: Error) => void) | undefined
  readonly #children = new Set<ChildProcess>()

  constructor(options: EspeakTTSOptions = {}) {
    super(ESPEAK_SAMPLE_RATE, 1, { streaming: false })
    this.voice = options.voice ?? 'nb'
    this.command = options.command ?? 'espeak-ng'
    this.wordsPerMinute = options.wordsPerMinute ?? 160
    this.#onError = options.onError
  }

  override get provider(): string {
    return 'espeak-ng'
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new EspeakChunkedStream(this, text, connOptions, abortSignal)
  }

  stream(): tts.SynthesizeStream {
    throw new Error('EspeakTTS synthesises sentence by sentence; the session wraps it in a tts.StreamAdapter')
  }

  /** @internal */
  _spawn(): ChildProcess {
    const child = spawn(this.command, ['-v', this.voice, '-s', String(this.wordsPerMinute), '--stdout', '--stdin'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    })
    this.#children.add(child)
    child.once('close', () => this.#children.delete(child))
    // A process that failed to start never emits 'close' on some paths.
    child.once('error', () => this.#children.delete(child))
    return child
  }

  /** @internal */
  _failed(error: Error): void {
    this.#onError?.(error)
  }

  override async close(): Promise<void> {
    for (const child of this.#children) child.kill('SIGKILL')
    this.#children.clear()
    await super.close()
  }
}

class EspeakChunkedStream extends tts.ChunkedStream {
  label = 'avaaz.EspeakChunkedStream'
  readonly #tts: EspeakTTS

  constructor(owner: EspeakTTS, text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal) {
    super(text, owner, connOptions, abortSignal)
    this.#tts = owner
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid('tts_')
    const text = this.inputText.trim()
    if (!text || this.abortSignal.aborted) return
    let spawnError: Error | null = null
    const child = this.#tts._spawn()
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', (error) => {
        spawnError = error
        resolve(null)
      })
      child.once('close', (code) => resolve(code))
    })
    const kill = () => child.kill('SIGKILL')
    this.abortSignal.addEventListener('abort', kill, { once: true })
    // Writing to a process that failed to start errors asynchronously (EPIPE); it is reported once, below.
    child.stdin!.on('error', () => undefined)
    child.stdin!.end(text)

    const reader = new WavStreamReader()
    const frameSamples = Math.round((ESPEAK_SAMPLE_RATE * FRAME_MS) / 1000)
    let pending = new Int16Array(frameSamples)
    let pendingLength = 0
    let held: AudioFrame | null = null
    let frames = 0
    // A frame is held back until the next one exists, so the last can be marked final.
    const emit = (frame: AudioFrame) => {
      if (held) this.queue.put({ requestId, segmentId: requestId, frame: held, final: false })
      held = frame
      frames++
    }
    let formatError: Error | null = null
    try {
      for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
        if (this.abortSignal.aborted) break
        const samples = reader.push(chunk)
        const format = reader.format
        if (format && (format.channels !== 1 || format.sampleRate !== ESPEAK_SAMPLE_RATE)) {
          throw new Error(`espeak-ng wrote ${format.sampleRate} Hz × ${format.channels}, expected ${ESPEAK_SAMPLE_RATE} Hz mono`)
        }
        let offset = 0
        while (offset < samples.length) {
          const take = Math.min(frameSamples - pendingLength, samples.length - offset)
          pending.set(samples.subarray(offset, offset + take), pendingLength)
          pendingLength += take
          offset += take
          if (pendingLength === frameSamples) {
            emit(new AudioFrame(pending, ESPEAK_SAMPLE_RATE, 1, frameSamples))
            pending = new Int16Array(frameSamples)
            pendingLength = 0
          }
        }
      }
      if (pendingLength > 0 && !this.abortSignal.aborted) emit(new AudioFrame(pending.slice(0, pendingLength), ESPEAK_SAMPLE_RATE, 1, pendingLength))
      if (held && !this.abortSignal.aborted) this.queue.put({ requestId, segmentId: requestId, frame: held, final: true })
    } catch (error) {
      formatError = error instanceof Error ? error : new Error(String(error))
    } finally {
      this.abortSignal.removeEventListener('abort', kill)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    const code = await exited
    if (this.abortSignal.aborted) return
    if (spawnError) this.#tts._failed(new Error(`espeak-ng could not be run (${this.#tts.command}): ${(spawnError as Error).message}`))
    else if (formatError) this.#tts._failed(formatError)
    else if (frames === 0) this.#tts._failed(new Error(`espeak-ng produced no audio (exit code ${code})`))
  }
}

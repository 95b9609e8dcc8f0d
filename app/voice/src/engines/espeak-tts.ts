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
/**
 * espeak-ng writes its audio in large chunks, so longer frames cost nothing in time to first audio
 * and cut LiveKit's per-frame work (every frame goes through several streams) five-fold against 20 ms.
 */
const FRAME_MS = 100

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
  /** Processes speaking for this TTS now. */
  readonly #children = new Set<ChildProcess>()
  readonly #warm: WarmProcesses
  #closed = false

  constructor(options: EspeakTTSOptions = {}) {
    super(ESPEAK_SAMPLE_RATE, 1, { streaming: false })
    this.voice = options.voice ?? 'nb'
    this.command = options.command ?? 'espeak-ng'
    this.wordsPerMinute = options.wordsPerMinute ?? 160
    this.#onError = options.onError
    this.#warm = WarmProcesses.acquire(this.command, ['-v', this.voice, '-s', String(this.wordsPerMinute), '--stdout', '--stdin'])
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

  /** @internal A process waiting for its text, and its start-up error if it could not start. */
  _take(): Warm {
    const warm = this.#warm.take()
    this.#children.add(warm.child)
    warm.child.once('close', () => this.#children.delete(warm.child))
    warm.child.once('error', () => this.#children.delete(warm.child))
    return warm
  }

  /** @internal */
  _failed(error: Error): void {
    this.#onError?.(error)
  }

  override async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true
      this.#warm.release()
    }
    for (const child of this.#children) child.kill('SIGKILL')
    this.#children.clear()
    await super.close()
  }
}

interface Warm {
  child: ChildProcess
  /** Set if the process failed to start (spawn reports that asynchronously). */
  failure: () => Error | null
}

/**
 * espeak-ng processes started ahead of need, each waiting for its text on stdin (espeak-ng reads to
 * the end of its input before it speaks): a sentence then costs only its synthesis. Starting a
 * process is what costs — the fork of this large Node process blocks the event loop for 5–15 ms, and
 * espeak-ng's exec and voice loading take 10 ms more — and this takes it off the reply's path.
 * Shared by all EspeakTTS with the same command line; the waiting processes do not keep Node alive,
 * and are ended when the last of those closes.
 */
class WarmProcesses {
  static readonly #pools = new Map<string, WarmProcesses>()
  /** Processes kept waiting per command line. */
  static readonly SIZE = 3
  readonly #key: string
  readonly #idle: Warm[] = []
  #users = 0
  #refilling = false

  private constructor(
    readonly command: string,
    readonly args: string[],
  ) {
    this.#key = JSON.stringify([command, ...args])
  }

  static acquire(command: string, args: string[]): WarmProcesses {
    const key = JSON.stringify([command, ...args])
    let pool = WarmProcesses.#pools.get(key)
    if (!pool) {
      pool = new WarmProcesses(command, args)
      WarmProcesses.#pools.set(key, pool)
    }
    pool.#users++
    return pool
  }

  release(): void {
    this.#users--
    if (this.#users > 0) return
    WarmProcesses.#pools.delete(this.#key)
    for (const { child } of this.#idle.splice(0)) child.kill('SIGKILL')
  }

  /** A waiting process (or a new one if none is ready); more are started for the next sentences. */
  take(): Warm {
    let warm: Warm | undefined
    while ((warm = this.#idle.shift())) {
      if (warm.child.exitCode === null && warm.child.signalCode === null && !warm.failure()) break
      warm.child.kill('SIGKILL')
    }
    const taken = warm ?? this.#start()
    setRef(taken.child, true)
    this.#refill()
    return taken
  }

  #start(): Warm {
    let failure: Error | null = null
    const child = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'ignore'] })
    child.on('error', (error) => (failure ??= error))
    // Writing to a process that failed to start errors asynchronously (EPIPE); reported as the failure.
    child.stdin!.on('error', () => undefined)
    return { child, failure: () => failure }
  }

  /** Starts the missing processes one per turn of the event loop (each start blocks it briefly). */
  #refill(): void {
    if (this.#refilling) return
    this.#refilling = true
    const next = () => {
      if (this.#users <= 0 || this.#idle.length >= WarmProcesses.SIZE) {
        this.#refilling = false
        return
      }
      const warm = this.#start()
      setRef(warm.child, false)
      this.#idle.push(warm)
      setImmediate(next)
    }
    setImmediate(next)
  }
}

/** Whether a child process (and its pipes) keeps Node running. */
function setRef(child: ChildProcess, ref: boolean): void {
  for (const handle of [child, child.stdin, child.stdout] as ({ ref?(): void; unref?(): void } | null)[]) {
    if (ref) handle?.ref?.()
    else handle?.unref?.()
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
    const { child, failure } = this.#tts._take()
    let spawnError: Error | null = failure()
    const exited = new Promise<number | null>((resolve) => {
      if (spawnError || child.exitCode !== null) return resolve(child.exitCode)
      child.once('error', (error) => {
        spawnError = error
        resolve(null)
      })
      child.once('close', (code) => resolve(code))
    })
    const kill = () => child.kill('SIGKILL')
    this.abortSignal.addEventListener('abort', kill, { once: true })
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

import { Pcm16Downsampler, levelOf } from './pcm'

/**
 * The microphone: getUserMedia with the browser's echo cancellation, noise suppression and gain
 * control, an AudioWorklet that hands over ~20 ms chunks, and the downsampling to PCM16 frames at the
 * protocol's rate. Reports an input level for a meter. Errors are typed, so the page can say what
 * to do about each.
 */

export type MicErrorKind =
  /** The learner (or a policy) refused the microphone. */
  | 'denied'
  /** No microphone at all, or none that fits. */
  | 'no_microphone'
  /** Another app holds it, or the hardware failed to start. */
  | 'in_use'
  /** It was unplugged or switched off while in use. */
  | 'device_lost'
  /** No getUserMedia or AudioWorklet here (an old browser, or a page not served over HTTPS). */
  | 'unsupported'
  | 'failed'

export class MicError extends Error {
  constructor(
    readonly kind: MicErrorKind,
    options?: { cause?: unknown },
  ) {
    super(`Microphone: ${kind}`, options)
    this.name = 'MicError'
  }
}

/** A getUserMedia failure as what it means for the learner (the DOMException names of the spec). */
export function micErrorOf(error: unknown): MicError {
  if (error instanceof MicError) return error
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : ''
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return new MicError('denied', { cause: error })
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return new MicError('no_microphone', { cause: error })
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return new MicError('in_use', { cause: error })
    default:
      return new MicError('failed', { cause: error })
  }
}

export const MIC_WORKLET_URL = '/worklets/mic-capture.js'
const PROCESSOR_NAME = 'avaaz-mic-capture'

export interface MicCaptureOptions {
  /** PCM16 frames at `outputRate`, `frameMs` long; not called while muted. */
  onFrame(frame: Int16Array): void
  /** The input level, 0…1, about 50 times a second (0 while muted). */
  onLevel?(level: number): void
  /** The microphone stopped working after it started (unplugged, revoked). */
  onError?(error: MicError): void
  outputRate?: number
  frameMs?: number
  /** An audio context to run in (one is created otherwise, and closed by `stop`). */
  context?: AudioContext
  mediaDevices?: Pick<MediaDevices, 'getUserMedia'>
  workletUrl?: string
}

/** Contexts that already have the processor: registering a name twice makes addModule reject. */
const loadedContexts = new WeakMap<BaseAudioContext, Promise<void>>()

function loadWorklet(context: AudioContext, url: string): Promise<void> {
  let loading = loadedContexts.get(context)
  if (!loading) {
    loading = context.audioWorklet.addModule(url)
    loadedContexts.set(context, loading)
    loading.catch(() => loadedContexts.delete(context))
  }
  return loading
}

export class MicCapture {
  private readonly options: MicCaptureOptions
  private stream: MediaStream | null = null
  private context: AudioContext | null = null
  private ownsContext = false
  private source: MediaStreamAudioSourceNode | null = null
  private node: AudioWorkletNode | null = null
  private sink: GainNode | null = null
  private downsampler: Pcm16Downsampler | null = null
  private stopped = false
  private _muted = false

  constructor(options: MicCaptureOptions) {
    if (typeof options?.onFrame !== 'function') throw new Error('MicCapture: options.onFrame is required')
    this.options = options
  }

  get muted(): boolean {
    return this._muted
  }

  /** The microphone's track while capturing (LiveKit publishes it as it is). */
  get track(): MediaStreamTrack | null {
    return this.stream?.getAudioTracks()[0] ?? null
  }

  /** Asks for the microphone and starts capturing. Rejects with a MicError. */
  async start(): Promise<void> {
    if (this.stream) return
    this.stopped = false
    const mediaDevices = this.options.mediaDevices ?? (typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined)
    if (!mediaDevices?.getUserMedia) throw new MicError('unsupported')
    let stream: MediaStream
    try {
      stream = await mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 }, video: false })
    } catch (error) {
      throw micErrorOf(error)
    }
    if (this.stopped) {
      // Stopped while the permission prompt was open.
      for (const track of stream.getTracks()) track.stop()
      return
    }
    this.stream = stream
    const track = stream.getAudioTracks()[0]
    if (!track) {
      this.stop()
      throw new MicError('no_microphone')
    }
    track.addEventListener('ended', () => {
      if (this.stopped) return
      this.stop()
      this.options.onError?.(new MicError('device_lost'))
    })
    try {
      await this.startGraph(stream)
    } catch (error) {
      this.stop()
      throw error instanceof MicError ? error : new MicError(typeof AudioWorkletNode === 'undefined' ? 'unsupported' : 'failed', { cause: error })
    }
  }

  private async startGraph(stream: MediaStream): Promise<void> {
    if (this.options.context) {
      this.context = this.options.context
    } else {
      if (typeof AudioContext === 'undefined') throw new MicError('unsupported')
      this.context = new AudioContext()
      this.ownsContext = true
    }
    const context = this.context
    if (!context.audioWorklet || typeof AudioWorkletNode === 'undefined') throw new MicError('unsupported')
    await loadWorklet(context, this.options.workletUrl ?? MIC_WORKLET_URL)
    if (context.state === 'suspended') await context.resume().catch(() => undefined)
    if (this.stopped) return
    this.downsampler = new Pcm16Downsampler(context.sampleRate, this.options.outputRate ?? 16_000, this.options.frameMs ?? 20)
    this.source = context.createMediaStreamSource(stream)
    this.node = new AudioWorkletNode(context, PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' })
    this.node.port.onmessage = (event: MessageEvent<Float32Array>) => this.onChunk(event.data)
    // A node only runs when something downstream pulls it: a silent path to the speakers does that.
    this.sink = context.createGain()
    this.sink.gain.value = 0
    this.source.connect(this.node)
    this.node.connect(this.sink)
    this.sink.connect(context.destination)
  }

  private onChunk(chunk: Float32Array): void {
    if (this.stopped || !this.downsampler) return
    if (this._muted) {
      this.options.onLevel?.(0)
      return
    }
    this.options.onLevel?.(levelOf(chunk))
    for (const frame of this.downsampler.push(chunk)) this.options.onFrame(frame)
  }

  /** Stops sending (the track is disabled, so the browser's indicator shows it too); capture goes on. */
  mute(): void {
    this._muted = true
    const track = this.track
    if (track) track.enabled = false
  }

  unmute(): void {
    this._muted = false
    this.downsampler?.reset()
    const track = this.track
    if (track) track.enabled = true
  }

  /** Releases the microphone (its indicator goes off) and the audio graph. */
  stop(): void {
    this.stopped = true
    if (this.node) {
      this.node.port.onmessage = null
      this.node.port.postMessage('stop')
    }
    for (const node of [this.source, this.node, this.sink]) {
      try {
        node?.disconnect()
      } catch {
        // Already disconnected.
      }
    }
    for (const track of this.stream?.getTracks() ?? []) track.stop()
    if (this.ownsContext) void this.context?.close().catch(() => undefined)
    this.stream = null
    this.source = null
    this.node = null
    this.sink = null
    this.context = null
    this.ownsContext = false
    this.downsampler = null
  }
}

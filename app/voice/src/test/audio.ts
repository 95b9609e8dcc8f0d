import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WavStreamReader } from '../wav.js'

/** Norwegian speech from espeak-ng (made at test time), resampled to `sampleRate`. */
export function norwegianSpeech(text: string, sampleRate = 16_000): Int16Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'avaaz-voice-'))
  try {
    const file = path.join(dir, 'speech.wav')
    execFileSync('espeak-ng', ['-v', 'nb', '-s', '160', '-w', file, text])
    const reader = new WavStreamReader()
    const samples = reader.push(readFileSync(file))
    const format = reader.format!
    return resample(samples, format.sampleRate, sampleRate)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Linear-interpolation resampling: good enough for a VAD and a level check. */
export function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples
  const out = new Int16Array(Math.floor((samples.length * to) / from))
  for (let index = 0; index < out.length; index++) {
    const position = (index * from) / to
    const left = Math.floor(position)
    const fraction = position - left
    out[index] = Math.round((samples[left] ?? 0) * (1 - fraction) + (samples[left + 1] ?? samples[left] ?? 0) * fraction)
  }
  return out
}

export function rms(samples: Int16Array): number {
  let sum = 0
  for (const sample of samples) sum += sample * sample
  return samples.length ? Math.sqrt(sum / samples.length) : 0
}

/** Where the voiced part of a recording ends, in samples (last sample above a tenth of its peak). */
export function voicedEnd(samples: Int16Array): number {
  let peak = 0
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample))
  for (let index = samples.length - 1; index >= 0; index--) if (Math.abs(samples[index]!) > peak / 10) return index + 1
  return 0
}

/**
 * A microphone: pushes `frameMs` frames at real time (or `speed` times it), silence unless speech
 * is queued, the way a browser streams an open mic.
 */
export class Microphone {
  #queue: Int16Array[] = []
  #timer: NodeJS.Timeout | null = null
  #pushed = 0
  #startedAt = 0
  #waiters: { until: number; resolve: (at: number) => void }[] = []
  #queuedFrames = 0
  readonly frameSamples: number

  constructor(
    readonly push: (frame: Int16Array) => unknown,
    readonly sampleRate = 16_000,
    readonly frameMs = 20,
    readonly speed = 1,
  ) {
    this.frameSamples = Math.round((sampleRate * frameMs) / 1000)
  }

  start(): this {
    this.#startedAt = performance.now()
    this.#timer = setInterval(() => this.#tick(), 5)
    return this
  }

  /**
   * Queues speech; resolves with the time (Date.now()) its last voiced frame was pushed.
   */
  say(samples: Int16Array): Promise<number> {
    const lastVoiced = voicedEnd(samples)
    for (let offset = 0; offset < samples.length; offset += this.frameSamples) {
      const frame = new Int16Array(this.frameSamples)
      frame.set(samples.subarray(offset, Math.min(samples.length, offset + this.frameSamples)))
      this.#queue.push(frame)
    }
    const until = this.#queuedFrames + Math.ceil(lastVoiced / this.frameSamples)
    this.#queuedFrames += Math.ceil(samples.length / this.frameSamples)
    return new Promise((resolve) => this.#waiters.push({ until, resolve }))
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  #spoken = 0

  #tick(): void {
    const due = Math.floor(((performance.now() - this.#startedAt) * this.speed) / this.frameMs)
    while (this.#pushed < due) {
      const frame = this.#queue.shift()
      this.push(frame ?? new Int16Array(this.frameSamples))
      this.#pushed++
      if (frame) {
        this.#spoken++
        for (const waiter of [...this.#waiters]) {
          if (this.#spoken >= waiter.until) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
            waiter.resolve(Date.now())
          }
        }
      }
    }
  }
}

/**
 * `npm run bench:voice` — what the voice pipeline adds to a reply's latency: from a learner's turn
 * being final to the first frame of the tutor's speech handed out, with a tutor that answers at once
 * with a fixed sentence (as the offline tutor does) and espeak-ng speaking it; p50 and p95 with 1
 * and with 20 pipelines running at the same time, every one of them with an open microphone (20 ms
 * frames of silence in real time, as a browser streams them, so the VAD works all along). Each
 * learner waits for the reply to be spoken, then 1–4 s (thinking and saying the next thing) before
 * the next turn, starting at random within the first 3 s: about 4 turns a second across the 20,
 * twice what 20 real learners would make, and not in lockstep. The baseline, measured in the same
 * run and under the same load, is espeak-ng on its own: spawned for the same sentence until its
 * first 20 ms of audio. A third row times voice turns (real
 * speech through the VAD, transcribed by a local fake OpenAI server) from the end of the learner's
 * speech, less the end-of-turn silence the pipeline waits for on purpose.
 * Results replace the "Voice pipeline" section of docs/benchmarks.md.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createVoicePipeline } from '../app/voice/src/index.js'
import type { PipelineEvent, ReplyEvent, TutorBridge, VoicePipeline, VoicePipelineOptions } from '../app/voice/src/index.js'
import { norwegianSpeech } from '../app/voice/src/test/audio.js'
import { FakeOpenAI } from '../app/voice/src/test/fake-openai.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const SECTION = '## Voice pipeline'
const REPLY = 'Så fint! Hva gjorde du i går?'
const END_OF_TURN_SILENCE_MS = 600
const TARGET_P95_MS = 150
const singleTurns = Number(process.env.BENCH_VOICE_TURNS ?? 40)
const concurrentRounds = Number(process.env.BENCH_VOICE_ROUNDS ?? 10)
const voiceRounds = Number(process.env.BENCH_VOICE_SPEECH_ROUNDS ?? 3)

interface Timing {
  p50: number
  p95: number
  n: number
}

function percentiles(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  return { p50: round(at(0.5)), p95: round(at(0.95)), n: values.length }
}

const round = (value: number) => Math.round(value * 10) / 10
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The offline tutor's shape: the turn stored, then one sentence at once. */
const tutor: TutorBridge = {
  async *learnerTurn(turn): AsyncIterable<ReplyEvent> {
    yield { type: 'meta', payload: { type: 'turn', turn: { role: 'learner', clientTurnId: turn.clientTurnId } } }
    yield { type: 'text', text: REPLY }
  },
}

/** One learner's pipeline, with the events a benchmark waits for. */
class Learner {
  pipeline!: VoicePipeline
  readonly #waiters: { match: (event: PipelineEvent) => boolean; resolve: (event: PipelineEvent) => void }[] = []
  errors = 0

  async start(options: Partial<VoicePipelineOptions> = {}): Promise<this> {
    this.pipeline = await createVoicePipeline({
      bridge: tutor,
      speechToText: { kind: 'browser' },
      speech: { kind: 'espeak' },
      turnTaking: { endOfTurnSilenceMs: END_OF_TURN_SILENCE_MS, allowInterruptions: true },
      inputSampleRate: 16_000,
      onAudio: () => undefined,
      onEvent: (event) => {
        if (event.type === 'error') this.errors++
        for (const waiter of [...this.#waiters]) {
          if (!waiter.match(event)) continue
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
          waiter.resolve(event)
        }
      },
      ...options,
    })
    return this
  }

  next<T extends PipelineEvent>(match: (event: PipelineEvent) => event is T): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 30 s')), 30_000)
      this.#waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer)
          resolve(event as T)
        },
      })
    })
  }

  /** A typed turn: its latency (turn received → first audio frame out), once the reply has been spoken. */
  async typedTurn(index: number): Promise<number> {
    const latency = this.next((event): event is Extract<PipelineEvent, { type: 'latency' }> => event.type === 'latency')
    const spoken = this.next((event): event is PipelineEvent => event.type === 'speech' && event.event === 'end')
    this.pipeline.sendText({ clientTurnId: `bench-${index}-${Math.random().toString(36).slice(2)}`, text: 'Jeg liker å gå tur i skogen.' })
    const { ms } = await latency
    await spoken
    return ms
  }
}

/** Open microphones: every learner gets a 20 ms frame each 20 ms (silence, or queued speech). */
class Microphones {
  readonly #queues = new Map<VoicePipeline, Int16Array[]>()
  readonly #done = new Map<VoicePipeline, () => void>()
  #timer: NodeJS.Timeout | null = null
  #pushed = 0
  #startedAt = 0

  open(pipelines: VoicePipeline[]): void {
    for (const pipeline of pipelines) this.#queues.set(pipeline, [])
    this.#startedAt = performance.now()
    this.#pushed = 0
    this.#timer = setInterval(() => {
      const due = Math.floor((performance.now() - this.#startedAt) / 20)
      for (; this.#pushed < due; this.#pushed++) {
        for (const [pipeline, queue] of this.#queues) {
          const frame = queue.shift()
          pipeline.pushAudio(frame ?? SILENCE)
          if (frame && queue.length === 0) this.#done.get(pipeline)?.()
        }
      }
    }, 10)
  }

  /** Queues speech; resolves when its last frame has been sent. */
  say(pipeline: VoicePipeline, samples: Int16Array): Promise<void> {
    const queue = this.#queues.get(pipeline)!
    for (let offset = 0; offset < samples.length; offset += 320) queue.push(samples.slice(offset, offset + 320))
    return new Promise((resolve) => this.#done.set(pipeline, resolve))
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#queues.clear()
  }
}

const SILENCE = new Int16Array(320)

/** espeak-ng alone: spawn for the reply sentence, time to its first 20 ms of audio (header included). */
function espeakFirstFrame(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('espeak-ng', ['-v', 'nb', '-s', '160', '--stdout', '--stdin'], { stdio: ['pipe', 'pipe', 'ignore'] })
    let bytes = 0
    let first: number | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (first === undefined && bytes >= 44 + 882) first = performance.now() - started
    })
    child.on('error', reject)
    child.on('close', () => (first === undefined ? reject(new Error('espeak-ng gave no audio')) : resolve(first)))
    child.stdin.end(REPLY)
  })
}

/** Samples the baseline every `everyMs` (one espeak-ng at a time) until stopped: the same moment's machine. */
function sampleBaseline(everyMs: number): { stop(): Promise<number[]> } {
  const times: number[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      times.push(await espeakFirstFrame())
      await sleep(everyMs)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return times
    },
  }
}

/** A learner's time between hearing a reply and their next turn. */
const thinking = () => sleep(1_000 + Math.random() * 3_000)

/** Typed turns on `concurrency` pipelines with open microphones, and the baseline sampled meanwhile. */
async function typedTurns(concurrency: number, turnsEach: number): Promise<{ times: number[]; baseline: number[]; cpuPercent: number; errors: number }> {
  const learners = await Promise.all(Array.from({ length: concurrency }, () => new Learner().start()))
  const microphones = new Microphones()
  microphones.open(learners.map((learner) => learner.pipeline))
  try {
    // Warm-up: every pipeline's first reply (code paths compiled, espeak-ng's data in the page cache).
    await Promise.all(learners.map((learner, index) => learner.typedTurn(index)))
    for (let index = 0; index < 3; index++) await espeakFirstFrame()
    const cpuBefore = process.cpuUsage()
    const wallBefore = performance.now()
    const times: number[] = []
    const baseline: number[] = []
    const sampler = concurrency > 1 ? sampleBaseline(250) : null
    await Promise.all(
      learners.map(async (learner, index) => {
        await sleep(concurrency > 1 ? Math.random() * 3_000 : 0)
        for (let turn = 0; turn < turnsEach; turn++) {
          times.push(await learner.typedTurn(index))
          if (concurrency > 1) await thinking()
          else {
            // One learner alone: the baseline alternates with the turns.
            baseline.push(await espeakFirstFrame())
            await sleep(200)
          }
        }
      }),
    )
    const cpu = process.cpuUsage(cpuBefore)
    const cpuPercent = round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100)
    if (sampler) baseline.push(...(await sampler.stop()))
    return { times, baseline, cpuPercent, errors: learners.reduce((total, learner) => total + learner.errors, 0) }
  } finally {
    microphones.close()
    await Promise.all(learners.map((learner) => learner.pipeline.close()))
  }
}

/** Voice turns: real speech, the real VAD, a local fake transcription server. */
async function voiceTurns(concurrency: number, rounds: number): Promise<{ times: number[]; baseline: number[] }> {
  const server = new FakeOpenAI()
  const baseURL = await server.listen()
  server.transcribe = () => ({ text: 'Jeg liker å gå tur i skogen.' })
  const speech = norwegianSpeech('Jeg liker å gå tur i skogen.', 16_000)
  const learners = await Promise.all(
    Array.from({ length: concurrency }, () => new Learner().start({ speechToText: { kind: 'openai', apiKey: 'bench', model: 'whisper-1', baseURL } })),
  )
  const microphones = new Microphones()
  microphones.open(learners.map((learner) => learner.pipeline))
  const sampler = sampleBaseline(250)
  try {
    const times: number[] = []
    await Promise.all(
      learners.map(async (learner) => {
        await sleep(Math.random() * 3_000)
        for (let turn = 0; turn < rounds + 1; turn++) {
          const latency = learner.next((event): event is Extract<PipelineEvent, { type: 'latency' }> => event.type === 'latency')
          const spoken = learner.next((event): event is PipelineEvent => event.type === 'speech' && event.event === 'end')
          await microphones.say(learner.pipeline, speech)
          const { ms } = await latency
          await spoken
          if (turn > 0) times.push(ms - END_OF_TURN_SILENCE_MS)
          await thinking()
        }
      }),
    )
    return { times, baseline: await sampler.stop() }
  } finally {
    microphones.close()
    await Promise.all(learners.map((learner) => learner.pipeline.close()))
    await server.close()
  }
}

const loadBefore = os.loadavg()[0]!
const one = await typedTurns(1, singleTurns)
const twenty = await typedTurns(20, concurrentRounds)
const voice = await voiceTurns(20, voiceRounds)
const loadAfter = os.loadavg()[0]!
const oneT = percentiles(one.times)
const oneB = percentiles(one.baseline)
const twentyT = percentiles(twenty.times)
const twentyB = percentiles(twenty.baseline)
const voiceT = percentiles(voice.times)
const voiceB = percentiles(voice.baseline)
const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : 0)
const met = twentyT.p95 < TARGET_P95_MS
const row = (measure: string, pipelines: number, t: Timing, b: Timing) =>
  `| ${measure} | ${pipelines} | ${t.n} | ${t.p50} | ${t.p95} | ${b.p50} | ${b.p95} | ${ratio(t.p50, b.p50)} | ${ratio(t.p95, b.p95)} |`

const section = `${SECTION}

Measured by \`npm run bench:voice\` (\`bench/voice.ts\`): the pipeline of \`app/voice\` (LiveKit Agents'
AgentSession without a room, Silero VAD, espeak-ng) in one process, with a tutor that answers at once
with a fixed sentence (“${REPLY}”, as the offline tutor does) and an open microphone on every pipeline
(20 ms frames of silence in real time, as the web app sends them). Latency is the pipeline's own
\`latency\` event: from the learner's turn being final (a typed turn arriving; for voice, the end of the
learner's speech) to the first frame of the tutor's speech handed to the transport. Each of the 20
learners waits for the reply to be spoken, then 1–4 s before the next turn (about 4 turns a second in
all, twice what 20 real learners would make); one learner alone goes on after 0.2 s. The first reply
of every pipeline is a warm-up and not counted. The baseline is espeak-ng alone, spawned for the same
sentence until its first 20 ms of audio, in the same run and under the same load: between the turns
of the single learner, and every 250 ms (one at a time) while the 20 pipelines run — the machine is
shared, so both sides see the same moments. Times in milliseconds; ratios are pipeline ÷ baseline
(lower is better).

Last run: ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'} · Node ${process.version}

| measure | pipelines | turns | p50 | p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${row('turn final → first audio frame out (typed turn)', 1, oneT, oneB)}
${row('turn final → first audio frame out (typed turn)', 20, twentyT, twentyB)}
${row(`end of speech → first audio frame out, less the ${END_OF_TURN_SILENCE_MS} ms end-of-turn silence (voice turn, local fake speech-to-text)`, 20, voiceT, voiceB)}

Target: p95 under ${TARGET_P95_MS} ms with 20 pipelines — **${met ? 'met' : 'not met'}** (${twentyT.p95} ms).
Process CPU while the 20 pipelines ran: ${twenty.cpuPercent} % of one core (${one.cpuPercent} % for one);
errors: ${one.errors + twenty.errors}. Machine load average (1 min) before and after the run:
${round(loadBefore)} and ${round(loadAfter)} on ${os.cpus().length} cores.

The pipeline keeps a few espeak-ng processes started and waiting for their text, so a reply does not
wait for a process to start; what it adds is the LiveKit session's scheduling, splitting the reply
into sentences, resampling 22.05 → 24 kHz and cutting 40 ms frames — with one learner that is less
than espeak-ng's own start-up, hence a ratio near or below 1. With 20 learners the tail comes from the
CPU being shared (the 20 sessions' own work, mostly LiveKit's per-frame stream handling of the open
microphones, and whatever else runs on the machine). The voice row adds what is specific to speech:
the VAD noticing the end of speech, and the transcription request, which gets a head start (the VAD
calls the end of a stretch of speech 250 ms before the end-of-turn silence is up); with a real
speech-to-text service its round trip counts wherever it exceeds that head start. The end-of-turn
silence itself (0.6–1.6 s by level) is deliberate and not counted.
`

const file = path.join(root, 'docs', 'benchmarks.md')
const previous = readFileSync(file, 'utf8')
const parts = previous.split(/\n(?=## )/)
const kept = parts.filter((part) => !part.startsWith(SECTION))
writeFileSync(file, [...kept.map((part) => part.trimEnd()), section.trimEnd()].join('\n\n') + '\n')
console.log(section)

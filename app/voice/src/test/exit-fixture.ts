/**
 * Run as a process of its own by close.test.ts: a pipeline that heard speech, transcribed it, and
 * is closed in the middle of a reply. It reports what is still alive after close() — the process
 * must then end by itself.
 */
import { createHook } from 'node:async_hooks'
import { createVoicePipeline } from '../index.js'
import { Microphone, norwegianSpeech } from './audio.js'
import { FakeOpenAI } from './fake-openai.js'
import { EventLog, FakeTutor, LONG_REPLY, baseOptions } from './harness.js'

// Every timer created from here on, with where it was made, until it is gone.
Error.stackTraceLimit = 40
const timers = new Map<number, { timer: { hasRef?(): boolean }; stack: string }>()
createHook({
  init(id, type, _trigger, resource) {
    if (type === 'Timeout') timers.set(id, { timer: resource as { hasRef?(): boolean }, stack: new Error().stack ?? '' })
  },
  destroy(id) {
    timers.delete(id)
  },
}).enable()

const server = new FakeOpenAI()
const baseURL = await server.listen()
server.transcribe = () => ({ text: 'Hei, jeg heter Ola.' })
const tutor = new FakeTutor(() => [{ type: 'text', text: LONG_REPLY }])
const log = new EventLog()
const pipeline = await createVoicePipeline(baseOptions(tutor, log, { speechToText: { kind: 'openai', apiKey: 'k', model: 'whisper-1', baseURL }, inputSampleRate: 48_000 }))
const mic = new Microphone((frame) => pipeline.pushAudio(frame), 48_000, 20, 2).start()
await mic.say(norwegianSpeech('Hei, jeg heter Ola.', 48_000))
await log.waitFor((event) => event.type === 'speech' && event.event === 'start')
await new Promise((resolve) => setTimeout(resolve, 500))
mic.stop()
await pipeline.close()
await server.close()
const closedAt = Date.now()
await new Promise((resolve) => setTimeout(resolve, 50))
const live = [...timers.values()]
  .filter(({ timer }) => timer.hasRef?.() ?? true)
  .map(({ stack }) => stack.split('\n').filter((line) => line.includes('/') && !line.includes('node:') && !line.includes('AsyncHook.init')))
  // (the wait just above is this script's own)
  .filter((frames) => !frames[0]?.includes('exit-fixture.ts'))
  .map((frames) => frames.join('|'))
process.stdout.write(
  `${JSON.stringify({ closedAt, turns: tutor.turns.length, frames: log.audio.length, resources: process.getActiveResourcesInfo(), timers: live })}\n`,
)

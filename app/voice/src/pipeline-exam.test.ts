import { afterEach, describe, expect, it } from 'vitest'
import { createVoicePipeline } from './pipeline.js'
import { Microphone, norwegianSpeech } from './test/audio.js'
import { FakeOpenAI } from './test/fake-openai.js'
import { EventLog, FakeTutor, MEDIUM_REPLY, baseOptions, sleep } from './test/harness.js'
import type { VoicePipeline } from './types.js'

const ANSWER = 'Jeg liker å gå på tur i skogen.'

describe('voice pipeline: mock exam turn-taking', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function setUp(allowInterruptions: boolean) {
    const server = new FakeOpenAI()
    const baseURL = await server.listen()
    cleanups.push(() => server.close())
    server.transcribe = () => ({ text: ANSWER })
    const tutor = new FakeTutor((turn) => [{ type: 'text', text: turn.source === 'typed' ? MEDIUM_REPLY : 'Takk. Neste spørsmål.' }])
    const log = new EventLog()
    const pipeline: VoicePipeline = await createVoicePipeline(
      baseOptions(tutor, log, { speechToText: { kind: 'openai', apiKey: 'k', model: 'gpt-4o-mini-transcribe', baseURL }, turnTaking: { endOfTurnSilenceMs: 800, allowInterruptions } }),
    )
    cleanups.push(() => pipeline.close())
    const mic = new Microphone((frame) => pipeline.pushAudio(frame), 16_000, 20).start()
    cleanups.push(() => mic.stop())
    return { server, tutor, log, pipeline, mic }
  }

  it('never cuts the examiner off, and keeps what the candidate said meanwhile as their turn once it has finished', async () => {
    const { tutor, log, pipeline, mic } = await setUp(false)
    pipeline.sendText({ clientTurnId: 'exam-typed-1', text: 'Jeg er klar.' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'start')
    await sleep(500)
    await mic.say(norwegianSpeech(ANSWER))
    // Shown at once, while the examiner is still speaking …
    const shownAt = await log.waitFor((event) => event.type === 'transcript' && event.final, 5_000, true)
    // … a barge-in from the client is not taken either …
    pipeline.interrupt()
    const examinerDoneAt = await log.waitFor((event) => event.type === 'speech' && event.event === 'end', 15_000)
    expect(shownAt).toBeLessThan(examinerDoneAt)
    expect(log.of('speech')).toEqual([
      { type: 'speech', event: 'start', interrupted: false, speechId: expect.any(String) },
      { type: 'speech', event: 'end', interrupted: false, speechId: expect.any(String) },
    ])
    // … and only afterwards it becomes the candidate's turn (none of it lost).
    expect(tutor.turns).toHaveLength(1)
    await tutor.waitForTurns(2, 5_000)
    expect(tutor.turns[1]).toMatchObject({ text: ANSWER, source: 'speech_engine' })
    expect(tutor.turns[1]!.endedAt!.getTime()).toBeLessThan(examinerDoneAt)
    await expect.poll(() => tutor.spoken[0]).toEqual({ clientTurnId: 'exam-typed-1', latencyMs: expect.any(Number), interrupted: false })
    await log.waitFor((event) => event.type === 'latency' && event.clientTurnId === tutor.turns[1]!.clientTurnId, 5_000, true)
  })

  it('becomes uninterruptible mid-reply when turn-taking changes (the speaker turned out to be the examiner); force still stops it', async () => {
    const { tutor, log, pipeline, mic } = await setUp(true)
    pipeline.sendText({ clientTurnId: 'exam-typed-2', text: 'Jeg er klar.' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'start')
    pipeline.setTurnTaking({ endOfTurnSilenceMs: 800, allowInterruptions: false })
    await sleep(300)
    await mic.say(norwegianSpeech(ANSWER))
    await sleep(1_200)
    pipeline.interrupt()
    await sleep(200)
    expect(log.of('speech')).toEqual([{ type: 'speech', event: 'start', interrupted: false, speechId: expect.any(String) }])
    pipeline.interrupt({ force: true })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'end', 1_000, true)
    expect(log.of('speech').at(-1)).toEqual({ type: 'speech', event: 'end', interrupted: true, speechId: expect.any(String) })
    // The candidate's words were kept and become a turn now that the speech is over.
    await tutor.waitForTurns(2, 5_000)
    expect(tutor.turns[1]).toMatchObject({ text: ANSWER, source: 'speech_engine' })
  })
})

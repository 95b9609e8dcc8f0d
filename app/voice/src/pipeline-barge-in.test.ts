import { voice } from '@livekit/agents'
import { afterEach, describe, expect, it } from 'vitest'
import { createVoicePipeline, type VoicePipelineSession } from './pipeline.js'
import { Microphone, norwegianSpeech } from './test/audio.js'
import { FakeOpenAI } from './test/fake-openai.js'
import { EventLog, FakeTutor, LONG_REPLY, baseOptions, sleep } from './test/harness.js'

const EXCUSE_ME = 'Unnskyld, kan du gjenta?'

describe('voice pipeline: barge-in', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('stops the tutor when the learner talks over it, keeps only what was heard, and answers what the learner said', async () => {
    const server = new FakeOpenAI()
    const baseURL = await server.listen()
    cleanups.push(() => server.close())
    server.transcribe = () => ({ text: EXCUSE_ME })
    const tutor = new FakeTutor((turn) => [{ type: 'text', text: turn.source === 'typed' ? LONG_REPLY : 'Ja, selvfølgelig.' }])
    const log = new EventLog()
    const pipeline = (await createVoicePipeline(baseOptions(tutor, log, { speechToText: { kind: 'openai', apiKey: '', model: 'whisper-1', baseURL } }))) as VoicePipelineSession
    cleanups.push(() => pipeline.close())
    const history: { text: string; interrupted: boolean }[] = []
    pipeline.session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (item.type === 'message' && item.role === 'assistant') history.push({ text: item.textContent ?? '', interrupted: item.interrupted })
    })
    const mic = new Microphone((frame) => pipeline.pushAudio(frame), 16_000, 20).start()
    cleanups.push(() => mic.stop())

    pipeline.sendText({ clientTurnId: 'typed-long-1', text: 'Kan vi øve?' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'start')
    await sleep(1_500)
    const learnerStarted = Date.now()
    void mic.say(norwegianSpeech(EXCUSE_ME))
    const cutAt = await log.waitFor((event) => event.type === 'speech' && event.event === 'end')
    expect(log.of('speech').at(-1)).toEqual({ type: 'speech', event: 'end', interrupted: true, speechId: expect.any(String) })
    // 0.5 s of speech is needed to cut in (counted in audio: the microphone may catch up a little).
    expect(cutAt - learnerStarted).toBeGreaterThan(250)
    expect(cutAt - learnerStarted).toBeLessThan(1_500)
    const framesAtCut = log.audio.filter(({ at }) => at <= cutAt).length
    await sleep(300)
    expect(log.audio.filter(({ at }) => at <= cutAt + 300).length).toBe(framesAtCut)

    // What the learner said becomes their next turn, answered as usual.
    await tutor.waitForTurns(2)
    expect(tutor.turns[1]).toMatchObject({ text: EXCUSE_ME, source: 'speech_engine' })
    await log.waitFor((event) => event.type === 'latency' && event.clientTurnId === tutor.turns[1]!.clientTurnId)
    await expect.poll(() => tutor.spoken[0]).toEqual({ clientTurnId: 'typed-long-1', latencyMs: expect.any(Number), interrupted: true })
    // LiveKit's history keeps the part of the reply that was heard, not all of it.
    const cut = history.find((item) => item.interrupted)!
    expect(cut.text.length).toBeGreaterThan(0)
    expect(cut.text.length).toBeLessThan(LONG_REPLY.length / 2)
    expect(LONG_REPLY.startsWith(cut.text)).toBe(true)
  })

  it('stops speaking at once on interrupt(), and drops the lines queued after the reply', async () => {
    const tutor = new FakeTutor(() => [
      { type: 'text', text: LONG_REPLY },
      { type: 'line', text: 'Og her er en linje til.', payload: { type: 'line' } },
    ])
    const log = new EventLog()
    const pipeline = await createVoicePipeline(baseOptions(tutor, log))
    cleanups.push(() => pipeline.close())
    pipeline.sendText({ clientTurnId: 'typed-long-2', text: 'Fortell!' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'start')
    await sleep(800)
    const calledAt = Date.now()
    pipeline.interrupt()
    const endedAt = await log.waitFor((event) => event.type === 'speech' && event.event === 'end', 2_000, true)
    expect(endedAt - calledAt).toBeLessThan(100)
    expect(log.of('speech').at(-1)).toEqual({ type: 'speech', event: 'end', interrupted: true, speechId: expect.any(String) })
    const frames = log.audio.length
    await sleep(1_000)
    expect(log.audio.length).toBe(frames)
    expect(log.of('speech')).toHaveLength(2)
    await expect.poll(() => tutor.spoken).toEqual([{ clientTurnId: 'typed-long-2', latencyMs: expect.any(Number), interrupted: true }])
  })
})

import { describe, expect, it } from 'vitest'
import { InputRing, TurnAudioRecorder, type TurnRecording } from './turn-recorder.js'
import type { PipelineEvent } from './types.js'

/** A 20 ms frame at 16 kHz whose samples all hold `value`. */
const frame = (value: number, samples = 320) => new Int16Array(samples).fill(value)

describe('the input ring', () => {
  it('holds at most its cap however long the learner talks (3 minutes pushed, 60 s kept)', () => {
    const ring = new InputRing(16_000, 60)
    for (let index = 0; index < 9_000; index++) ring.push(frame(index % 100), index * 20)
    expect(ring.samples).toBe(ring.maxSamples)
    expect(ring.maxSamples).toBe(960_000)
    // The oldest that remains is exactly 60 s back.
    expect(ring.cut(0, 120_000 - 20)).toHaveLength(0)
    expect(ring.cut(0, 9_000 * 20)).toHaveLength(960_000)
  })

  it('cuts by arrival time, to the sample, across frames', () => {
    const ring = new InputRing(16_000, 60)
    // Frames arrive at 20, 40, 60 ms: each holds the 20 ms before its arrival.
    ring.push(frame(1), 20)
    ring.push(frame(2), 40)
    ring.push(frame(3), 60)
    const cut = ring.cut(30, 50)
    expect(cut).toHaveLength(320)
    expect([cut[0], cut[159], cut[160], cut[319]]).toEqual([2, 2, 3, 3])
    expect(ring.cut(100, 200)).toHaveLength(0)
  })
})

function recorderWithClock(options: { realtime?: boolean } = {}) {
  const saved: TurnRecording[] = []
  let now = 1_000_000
  const recorder = new TurnAudioRecorder({ inputSampleRate: 16_000, outputSampleRate: 24_000, save: (recording) => saved.push(recording), now: () => now, maxReplySeconds: 2, ...options })
  const event = (value: PipelineEvent) => recorder.onEvent(value)
  const turn = (turn: Record<string, unknown>, speechId?: string) => event({ type: 'meta', payload: { type: 'turn', turn }, ...(speechId ? { speechId } : {}) })
  const speech = (kind: 'start' | 'end', speechId?: string) => event({ type: 'speech', event: kind, interrupted: false, ...(speechId ? { speechId } : {}) })
  const talk = (seconds: number, value: number) => {
    for (let index = 0; index < seconds * 50; index++) {
      now += 20
      recorder.onInput(frame(value))
    }
  }
  return { recorder, saved, turn, speech, talk, at: () => now }
}

describe('the turn audio recorder', () => {
  it("cuts a spoken learner turn from the ring with 300 ms either side, and keeps the reply's speech for the reply", () => {
    const { recorder, saved, turn, speech, talk, at } = recorderWithClock()
    talk(1, 0)
    const startedAt = at()
    talk(2, 500)
    const endedAt = at()
    talk(1, 0)
    turn({ id: 'learner-1', role: 'learner', source: 'speech_engine', startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString() })
    expect(saved).toHaveLength(1)
    expect(saved[0]).toMatchObject({ turnId: 'learner-1', sampleRate: 16_000 })
    expect(saved[0]!.pcm).toHaveLength(16_000 * 2.6)
    expect(saved[0]!.pcm.filter((sample) => sample === 500)).toHaveLength(32_000)

    speech('start')
    recorder.onOutput(new Int16Array(24_000).fill(7))
    turn({ id: 'reply-1', role: 'tutor', replyToTurnId: 'learner-1' })
    recorder.onOutput(new Int16Array(12_000).fill(7))
    expect(saved).toHaveLength(1)
    speech('end')
    expect(saved[1]).toMatchObject({ turnId: 'reply-1', sampleRate: 24_000 })
    expect(saved[1]!.pcm).toHaveLength(36_000)
    expect(recorder.heldReplySamples).toBe(0)
  })

  it('keeps nothing of a typed turn, and pairs a reply stored before its speech began', () => {
    const { recorder, saved, turn, speech } = recorderWithClock()
    turn({ id: 'learner-1', role: 'learner', source: 'typed', startedAt: null, endedAt: null })
    turn({ id: 'reply-1', role: 'tutor', replyToTurnId: 'learner-1' })
    speech('start')
    recorder.onOutput(new Int16Array(2_400))
    speech('end')
    expect(saved.map((recording) => recording.turnId)).toEqual(['reply-1'])
  })

  it('pairs an exam reply and the co-candidate line after it with their own speeches, and skips a replayed reply', () => {
    const { recorder, saved, turn, speech } = recorderWithClock()
    turn({ id: 'learner-1', role: 'learner', source: 'typed' })
    speech('start')
    recorder.onOutput(new Int16Array(100).fill(1))
    turn({ id: 'examiner-1', role: 'examiner', replyToTurnId: 'learner-1' })
    recorder.onEvent({ type: 'meta', payload: { type: 'line', turn: { id: 'line-1', role: 'partner', replyToTurnId: 'learner-1' } } })
    // The line's speech starts while the reply's last frames still play out.
    speech('start')
    recorder.onOutput(new Int16Array(200).fill(2))
    speech('end')
    speech('end')
    expect(saved.map((recording) => [recording.turnId, recording.pcm.length, recording.pcm[0]])).toEqual([
      ['examiner-1', 100, 1],
      ['line-1', 200, 2],
    ])
    recorder.onEvent({ type: 'meta', payload: { type: 'turn', turn: { id: 'reply-2', role: 'tutor' }, replayed: true } })
    speech('start')
    speech('end')
    expect(saved).toHaveLength(2)
  })

  it('does not give a new reply the speech of an old one nobody claimed, and bounds a long reply', () => {
    const { recorder, saved, turn, speech } = recorderWithClock()
    turn({ id: 'learner-1', role: 'learner', source: 'typed' })
    speech('start')
    recorder.onOutput(new Int16Array(100))
    speech('end')
    turn({ id: 'learner-2', role: 'learner', source: 'typed' })
    speech('start')
    for (let index = 0; index < 200; index++) recorder.onOutput(new Int16Array(480).fill(3))
    turn({ id: 'reply-2', role: 'tutor', replyToTurnId: 'learner-2' })
    speech('end')
    expect(saved.map((recording) => recording.turnId)).toEqual(['reply-2'])
    // Two seconds at most.
    expect(saved[0]!.pcm).toHaveLength(48_000)
  })
})

describe('the turn audio recorder with a realtime model', () => {
  it('pairs each reply, stored after it was spoken, with its own speech, even after a speech that stored nothing', () => {
    const { recorder, saved, turn, speech, talk, at } = recorderWithClock({ realtime: true })
    const exchange = (index: number, value: number) => {
      talk(0.5, 0)
      const startedAt = at()
      talk(1, 400 + index)
      const endedAt = at()
      speech('start', `speech-${index}`)
      recorder.onOutput(frame(value, 480))
      recorder.onOutput(frame(value, 480))
      speech('end', `speech-${index}`)
      talk(0.5, 0)
      return { startedAt, endedAt }
    }
    const first = exchange(1, 7)
    // Cut off before its first word: its exchange stores the learner's words and no reply.
    const cut = exchange(2, 9)
    const third = exchange(3, 8)
    // All three replies were spoken before the first exchange was stored.
    expect(saved).toEqual([])
    const learner = (id: string, times: { startedAt: number; endedAt: number }) =>
      turn({ id, role: 'learner', source: 'speech_engine', startedAt: new Date(times.startedAt).toISOString(), endedAt: new Date(times.endedAt).toISOString() })
    learner('learner-1', first)
    turn({ id: 'tutor-1', role: 'tutor', replyToTurnId: 'learner-1' }, 'speech-1')
    learner('learner-2', cut)
    learner('learner-3', third)
    turn({ id: 'tutor-3', role: 'tutor', replyToTurnId: 'learner-3' }, 'speech-3')
    // A learner's sample 5000 is past the 300 ms margin (4800 samples): their words.
    const sample = (recording: TurnRecording) => recording.pcm[recording.sampleRate === 16_000 ? 5_000 : 0]
    expect(saved.map((recording) => [recording.turnId, recording.sampleRate, recording.pcm.length, sample(recording)])).toEqual([
      ['learner-1', 16_000, 16_000 * 1.6, 401],
      ['tutor-1', 24_000, 960, 7],
      ['learner-2', 16_000, 16_000 * 1.6, 402],
      ['learner-3', 16_000, 16_000 * 1.6, 403],
      ['tutor-3', 24_000, 960, 8],
    ])
    // The speech nobody claimed is not kept either.
    expect(recorder.heldReplySamples).toBe(0)
  })
})

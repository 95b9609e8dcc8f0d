import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BrowserSpeech, type SpeechRecognitionConstructor, type SpeechRecognitionLike } from './browser-speech'

class FakeRecognition implements SpeechRecognitionLike {
  static instances: FakeRecognition[] = []
  lang = ''
  interimResults = false
  continuous = false
  maxAlternatives = 1
  onresult: SpeechRecognitionLike['onresult'] = null
  onerror: SpeechRecognitionLike['onerror'] = null
  onend: SpeechRecognitionLike['onend'] = null
  aborted = false
  constructor() {
    FakeRecognition.instances.push(this)
  }
  start() {}
  stop() {}
  abort() {
    this.aborted = true
  }
  /** An event as Chrome sends it in continuous mode: the session's whole list, from the first changed index. */
  results(resultIndex: number, ...results: Array<[string, boolean]>) {
    this.onresult?.({ resultIndex, results: results.map(([transcript, isFinal]) => Object.assign([{ transcript }], { isFinal })) })
  }
}

function recognition() {
  let id = 0
  const heard: string[] = []
  const turns: string[] = []
  const problems: string[] = []
  const speech = new BrowserSpeech({
    Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor,
    newClientTurnId: () => `turn-${String(++id).padStart(4, '0')}`,
    endOfTurnSilenceMs: 1000,
    onInterim: (turnId, text) => heard.push(`${turnId}: ${text}`),
    onFinal: (turnId, text) => turns.push(`${turnId}: ${text}`),
    onProblem: (problem) => problems.push(problem),
  })
  speech.start()
  return { speech, heard, turns, problems, current: () => FakeRecognition.instances.at(-1)! }
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeRecognition.instances = []
})
afterEach(() => vi.useRealTimers())

describe('browser speech recognition', () => {
  it('makes one turn of each pause-separated stretch of speech in a continuing recognition session', async () => {
    const { heard, turns, current } = recognition()
    current().results(0, ['Hei', false])
    current().results(0, ['Hei', true])
    await vi.advanceTimersByTimeAsync(1000)
    current().results(1, ['Hei', true], ['Jeg heter', false])
    current().results(1, ['Hei', true], ['Jeg heter Ali', true])
    await vi.advanceTimersByTimeAsync(1000)
    expect(turns).toEqual(['turn-0001: Hei', 'turn-0002: Jeg heter Ali'])
    expect(heard).toEqual(['turn-0001: Hei', 'turn-0001: Hei', 'turn-0002: Jeg heter', 'turn-0002: Jeg heter Ali'])
  })

  it('keeps a turn together across a restart of recognition (browsers end a session after a while)', async () => {
    const { turns, current } = recognition()
    current().results(0, ['Jeg bor', true])
    const first = current()
    first.onend?.()
    expect(FakeRecognition.instances).toHaveLength(2)
    current().results(0, ['i Bergen', true])
    await vi.advanceTimersByTimeAsync(1000)
    expect(turns).toEqual(['turn-0001: Jeg bor i Bergen'])
  })

  it('waits while the learner is still mid-phrase', async () => {
    const { turns, current } = recognition()
    current().results(0, ['Jeg', true], ['liker', false])
    await vi.advanceTimersByTimeAsync(5000)
    expect(turns).toEqual([])
    current().results(1, ['Jeg', true], ['liker kaffe', true])
    await vi.advanceTimersByTimeAsync(1000)
    expect(turns).toEqual(['turn-0001: Jeg liker kaffe'])
  })

  it('ignores "no speech" and gives up on errors that mean it cannot work here', () => {
    const { problems, current, speech } = recognition()
    current().onerror?.({ error: 'no-speech' })
    expect(problems).toEqual([])
    current().onerror?.({ error: 'network' })
    expect(problems).toEqual(['network'])
    expect(speech.listening).toBe(false)
    expect(current().aborted).toBe(true)
  })

  it('gives up when recognition keeps ending as soon as it starts', () => {
    const { problems, current } = recognition()
    for (let i = 0; i < 5; i++) current().onend?.()
    expect(problems).toEqual(['failed'])
  })

  it('sends a turn already heard in full when stopped, and drops a half-heard one', () => {
    const { speech, turns, current } = recognition()
    current().results(0, ['Takk', true])
    speech.stop()
    expect(turns).toEqual(['turn-0001: Takk'])

    const again = recognition()
    again.current().results(0, ['Ha det', false])
    again.speech.stop()
    expect(again.turns).toEqual([])
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeVoiceServer, flush, storedTurn, type FakeSocket } from './testing'
import { VoiceConnection, type ConnectionStatus, type VoiceConnectionOptions } from './voice-connection'

function connection(server: FakeVoiceServer, options: Partial<VoiceConnectionOptions> = {}) {
  const client = new VoiceConnection({
    speechToText: 'server',
    fetch: server.fetch,
    createWebSocket: server.createWebSocket,
    baseUrl: 'http://127.0.0.1:4000/talk',
    backoffMs: (attempt) => 1000 * attempt,
    ...options,
  })
  const statuses: ConnectionStatus[] = []
  const events: string[] = []
  client.on('status', ({ status }) => statuses.push(status))
  client.on('turn', (turn) => events.push(`turn ${turn.role}: ${turn.text}`))
  client.on('delta', ({ text }) => events.push(`delta: ${text}`))
  client.on('speech', ({ event }) => events.push(`speech ${event}`))
  client.on('latency', ({ ms }) => events.push(`latency ${ms}`))
  client.on('error', ({ code }) => events.push(`error ${code}`))
  const audio: Int16Array[] = []
  client.on('audio', (frame) => audio.push(frame))
  return { client, statuses, events, audio }
}

const texts = (socket: FakeSocket) => socket.messages.filter((message) => message.type === 'text' || message.type === 'transcript')

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('voice connection: connecting', () => {
  it('gets a WebSocket ticket, opens the socket on the same origin, says hello and is connected on ready', async () => {
    const server = new FakeVoiceServer()
    const { client, statuses } = connection(server, { speechToText: 'browser' })
    const ready = client.connect()
    await flush()

    expect(server.ticketRequests).toEqual([{ transport: 'websocket' }])
    expect(server.socket.url).toBe('ws://127.0.0.1:4000/api/v1/voice/ws?ticket=vt_1')
    expect(server.socket.binaryType).toBe('arraybuffer')
    expect(server.socket.messages[0]).toEqual({ type: 'hello', protocol: 1, sampleRate: 16000, speechToText: 'browser' })
    await expect(ready).resolves.toMatchObject({ type: 'ready', outputSampleRate: 24000 })
    expect(statuses).toEqual(['connecting', 'connected'])
    expect(client.ready?.turnTaking.endOfTurnSilenceMs).toBe(1200)
  })

  it('uses wss: behind https', async () => {
    const server = new FakeVoiceServer()
    const { client } = connection(server, { baseUrl: 'https://avaaz.example.org/talk' })
    void client.connect()
    await flush()
    expect(server.socket.url).toBe('wss://avaaz.example.org/api/v1/voice/ws?ticket=vt_1')
  })

  it.each([
    [401, 'signed_out'],
    [402, 'plan_limit'],
    [404, 'unavailable'],
  ] as const)('gives up at once when the token endpoint answers %i (%s)', async (status, failure) => {
    const server = new FakeVoiceServer()
    server.tokenStatus = status
    const { client, statuses } = connection(server)
    await expect(client.connect()).rejects.toThrow(failure)
    expect(statuses).toEqual(['connecting', 'failed'])
    expect(client.failure).toBe(failure)
    expect(server.sockets).toHaveLength(0)
  })

  it('tries a few times when the server cannot be reached, then fails (the page falls back to typing)', async () => {
    const server = new FakeVoiceServer()
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    const { client, statuses } = connection(server, { fetch })
    const ready = client.connect()
    ready.catch(() => undefined)
    await flush()
    await vi.advanceTimersByTimeAsync(1000)
    await vi.advanceTimersByTimeAsync(2000)
    await expect(ready).rejects.toThrow('network')
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(statuses.at(-1)).toBe('failed')
  })

  it('gives up on a first connection the server has no room for (1013), so the learner types', async () => {
    const server = new FakeVoiceServer({ answerHello: false })
    const { client } = connection(server)
    void client.connect()
    await flush()
    server.socket.push({ type: 'error', code: 'busy', message: 'Voice is busy right now.', fatal: true })
    server.socket.drop(1013)
    await flush()
    expect(client.failure).toBe('busy')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.sockets).toHaveLength(1)
  })

  it('closes a socket whose server never answers hello, and tries a new ticket', async () => {
    const server = new FakeVoiceServer({ answerHello: false })
    const { client } = connection(server, { readyTimeoutMs: 5000 })
    void client.connect()
    await flush()
    server.answerHello = true
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.sockets[0]!.closedByClient).toBe(1000)
    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    expect(client.status).toBe('connected')
    expect(server.socket.ticket).toBe('vt_2')
  })

  it('fails without retrying when the server refuses the handshake (4002)', async () => {
    const server = new FakeVoiceServer({ answerHello: false })
    const { client, statuses } = connection(server)
    const ready = client.connect()
    ready.catch(() => undefined)
    await flush()
    server.socket.push({ type: 'error', code: 'wrong_sample_rate', message: 'No.', fatal: true })
    server.socket.drop(4002)
    await flush()
    expect(client.failure).toBe('protocol')
    expect(statuses).toEqual(['connecting', 'failed'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.sockets).toHaveLength(1)
  })
})

describe('voice connection: audio', () => {
  it('sends microphone frames as little-endian PCM16, only while connected', async () => {
    const server = new FakeVoiceServer()
    const { client } = connection(server)
    expect(client.sendAudio(new Int16Array(320))).toBe(false)
    void client.connect()
    await flush()
    expect(client.sendAudio(new Int16Array(320).fill(-2))).toBe(true)
    expect(server.socket.frames).toHaveLength(1)
    expect(server.socket.frames[0]!.length).toBe(320)
    expect(server.socket.frames[0]![0]).toBe(-2)
    expect(client.framesSent).toBe(1)
  })

  it('drops frames while the socket is backed up, rather than sending the server stale audio', async () => {
    const server = new FakeVoiceServer()
    const { client } = connection(server)
    void client.connect()
    await flush()
    server.socket.bufferedAmount = 20_000
    expect(client.sendAudio(new Int16Array(320))).toBe(false)
    expect(server.socket.frames).toHaveLength(0)
  })

  it("hands on the tutor's audio frames as samples", async () => {
    const server = new FakeVoiceServer()
    const { client, audio } = connection(server)
    void client.connect()
    await flush()
    server.socket.pushAudio(new Int16Array([1, -1, 32767]))
    await flush()
    expect(audio.map((frame) => [...frame])).toEqual([[1, -1, 32767]])
    expect(client.framesReceived).toBe(1)
  })
})

describe('voice connection: turns', () => {
  it('sends a typed turn and passes the reply on, in order; the turn is settled by its reply', async () => {
    const server = new FakeVoiceServer()
    const { client, events, audio } = connection(server)
    void client.connect()
    await flush()
    client.sendText('turn-0001', 'Jeg heter Ali')
    await flush()
    expect(texts(server.socket)).toEqual([{ type: 'text', clientTurnId: 'turn-0001', text: 'Jeg heter Ali' }])
    expect(events).toEqual([
      'turn learner: Jeg heter Ali',
      'delta: Hyggelig å hilse på deg!',
      'speech start',
      'turn tutor: Hyggelig å hilse på deg!',
      'latency 420',
      'speech end',
    ])
    expect(audio).toHaveLength(3)
    expect(client.pendingTurns).toEqual([])
  })

  it('sends browser-recognised speech: interim text as it comes, the final text as the turn', async () => {
    const server = new FakeVoiceServer()
    const { client, events } = connection(server, { speechToText: 'browser' })
    void client.connect()
    await flush()
    client.sendTranscript('turn-0002', 'Jeg bor', false)
    client.sendTranscript('turn-0002', 'Jeg bor i Oslo', true)
    await flush()
    expect(texts(server.socket)).toEqual([
      { type: 'transcript', clientTurnId: 'turn-0002', text: 'Jeg bor', final: false },
      { type: 'transcript', clientTurnId: 'turn-0002', text: 'Jeg bor i Oslo', final: true },
    ])
    expect(events[0]).toBe('turn learner: Jeg bor i Oslo')
    expect(server.stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
  })

  it('passes on a non-fatal server error and stays connected', async () => {
    const server = new FakeVoiceServer()
    const { client, events } = connection(server)
    void client.connect()
    await flush()
    server.socket.push({ type: 'error', code: 'bad_frame', message: 'Odd length.', fatal: false })
    server.socket.push({ type: 'some_future_message', value: 1 })
    server.socket.onmessage?.({ data: '{not json' } as MessageEvent)
    await flush()
    expect(events).toEqual(['error bad_frame'])
    expect(client.status).toBe('connected')
  })

  it('settles a turn whose reply failed (tutor_unavailable): it is stored, and not sent again', async () => {
    const server = new FakeVoiceServer()
    server.reply = (socket, learner) => {
      socket.push({ type: 'turn', turn: learner })
      socket.push({ type: 'error', code: 'tutor_unavailable', message: 'Try again.', fatal: false })
    }
    const { client } = connection(server)
    void client.connect()
    await flush()
    client.sendText('turn-0003', 'Hei')
    await flush()
    expect(client.pendingTurns).toEqual([])
  })
})

describe('voice connection: reconnecting', () => {
  it('reconnects with a new ticket after a drop and sends an unacknowledged turn again with its id, stored once', async () => {
    const server = new FakeVoiceServer()
    server.reply = () => undefined
    const { client, statuses, events } = connection(server)
    void client.connect()
    await flush()
    client.sendText('turn-0004', 'Hva heter du?')
    await flush()
    // The server got it (and stored it), but the acknowledgement never reached the client.
    server.socket.drop(1006)
    await flush()
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting'])

    server.reply = (socket, learner) => server.defaultReply(socket, learner, 'Jeg heter Kari.')
    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'reconnecting', 'connected'])
    expect(server.sockets).toHaveLength(2)
    expect(server.socket.ticket).toBe('vt_2')
    expect(texts(server.socket)).toEqual([{ type: 'text', clientTurnId: 'turn-0004', text: 'Hva heter du?' }])
    expect(server.stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
    expect(events).toEqual(['turn learner: Hva heter du?', 'delta: Jeg heter Kari.', 'speech start', 'turn tutor: Jeg heter Kari.', 'latency 420', 'speech end'])
    expect(client.pendingTurns).toEqual([])
  })

  it('sends a turn again whose reply was cut off by the drop; the server replays the stored reply without storing the turn twice', async () => {
    const server = new FakeVoiceServer()
    server.reply = (socket, learner) => {
      socket.push({ type: 'turn', turn: learner })
      socket.push({ type: 'delta', text: 'Hyggelig' })
      const reply = storedTurn({ role: 'tutor', text: 'Hyggelig å hilse på deg!', replyToTurnId: learner.id })
      server.stored.push(reply)
      // … and the socket drops before the stored reply is sent.
      socket.drop(1011)
    }
    const { client, events } = connection(server)
    void client.connect()
    await flush()
    client.sendText('turn-0005', 'Jeg heter Ali')
    await flush()
    expect(client.pendingTurns).toEqual([expect.objectContaining({ clientTurnId: 'turn-0005', turnId: expect.any(String) })])

    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    expect(texts(server.socket)).toEqual([{ type: 'text', clientTurnId: 'turn-0005', text: 'Jeg heter Ali' }])
    expect(events).toEqual(['turn learner: Jeg heter Ali', 'delta: Hyggelig', 'turn learner: Jeg heter Ali', 'turn tutor: Hyggelig å hilse på deg!'])
    expect(server.stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
    expect(client.pendingTurns).toEqual([])
  })

  it('replaces a refused ticket (4001) at once, without the backoff', async () => {
    const server = new FakeVoiceServer()
    server.refuseTickets = true
    const { client } = connection(server)
    void client.connect()
    await flush()
    expect(server.sockets[0]!.readyState).toBe(3)
    server.refuseTickets = false
    await vi.advanceTimersByTimeAsync(0)
    await flush()
    expect(server.ticketRequests).toHaveLength(2)
    expect(server.socket.ticket).toBe('vt_2')
    expect(client.status).toBe('connected')
  })

  it('never uses a ticket twice', async () => {
    const server = new FakeVoiceServer()
    const { client } = connection(server)
    void client.connect()
    await flush()
    server.socket.drop(1011)
    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    server.socket.drop(1011)
    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    expect(server.sockets.map((socket) => socket.ticket)).toEqual(['vt_1', 'vt_2', 'vt_3'])
    expect(client.status).toBe('connected')
  })

  it('backs off between attempts, and after too many reports the turns that never got a reply', async () => {
    const server = new FakeVoiceServer()
    server.reply = () => undefined
    const { client, statuses } = connection(server, { maxAttempts: 3 })
    const undelivered: string[] = []
    client.on('undelivered', (turns) => undelivered.push(...turns.map((turn) => turn.clientTurnId)))
    void client.connect()
    await flush()
    client.sendText('turn-0006', 'Hallo?')
    await flush()
    server.tokenStatus = 503
    server.socket.drop(1006)
    await flush()
    await vi.advanceTimersByTimeAsync(999)
    expect(server.ticketRequests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.ticketRequests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2000)
    expect(server.ticketRequests).toHaveLength(3)
    expect(statuses.at(-1)).toBe('failed')
    expect(client.failure).toBe('network')
    expect(undelivered).toEqual(['turn-0006'])
  })

  it('reports a turn heard by the server whose reply was lost (it cannot be sent again from here)', async () => {
    const server = new FakeVoiceServer()
    server.reply = (socket, learner) => socket.push({ type: 'turn', turn: learner })
    const { client } = connection(server)
    const undelivered: string[] = []
    client.on('undelivered', (turns) => undelivered.push(...turns.map((turn) => turn.text)))
    void client.connect()
    await flush()
    server.hear(server.socket, 'Jeg liker kaffe')
    await flush()
    server.socket.drop(1006)
    await vi.advanceTimersByTimeAsync(1000)
    await flush()
    expect(client.status).toBe('connected')
    expect(undelivered).toEqual(['Jeg liker kaffe'])
    expect(texts(server.socket)).toEqual([])
  })
})

describe('voice connection: closing', () => {
  it('close() disconnects without ending the sitting and does not reconnect', async () => {
    const server = new FakeVoiceServer()
    const { client, statuses } = connection(server)
    void client.connect()
    await flush()
    client.close()
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.socket.closedByClient).toBe(1000)
    expect(server.socket.messages.map((message) => message.type)).toEqual(['hello'])
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected'])
    expect(server.sockets).toHaveLength(1)
  })

  it('end() asks the server to end the sitting and is disconnected when it closes', async () => {
    const server = new FakeVoiceServer()
    const { client, statuses } = connection(server)
    void client.connect()
    await flush()
    await client.end()
    expect(server.socket.messages.map((message) => message.type)).toEqual(['hello', 'end'])
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.sockets).toHaveLength(1)
  })
})

import { type llm, isTimedString } from '@livekit/agents'
import * as openai from '@livekit/agents-plugin-openai'
import { AudioFrame } from '@livekit/rtc-node'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ensureAgentsLogger } from '../logger.js'
import { rms } from './audio.js'
import { FakeOpenAIRealtime, REALTIME_SAMPLE_RATE, type ReplyContext, type ServerEvent } from './fake-openai-realtime.js'

type RealtimeSession = ReturnType<openai.realtime.RealtimeModel['session']>

/** A tone standing in for the learner's voice, PCM16 at 24 kHz. */
function voice(ms: number): Int16Array {
  const samples = new Int16Array((REALTIME_SAMPLE_RATE * ms) / 1000)
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(5000 * Math.sin((2 * Math.PI * 220 * index) / REALTIME_SAMPLE_RATE))
  return samples
}

/** Pushes audio in 20 ms frames, as a microphone track does. */
function speak(session: RealtimeSession, samples: Int16Array): void {
  const frame = REALTIME_SAMPLE_RATE / 50
  for (let offset = 0; offset < samples.length; offset += frame) {
    const data = samples.slice(offset, offset + frame)
    session.pushAudio(new AudioFrame(data, REALTIME_SAMPLE_RATE, 1, data.length))
  }
}

/** Everything a generation says and plays, read to its end. */
async function hear(generation: llm.GenerationCreatedEvent) {
  let text = ''
  const frames: AudioFrame[] = []
  for await (const message of generation.messageStream) {
    await Promise.all([
      (async () => {
        for await (const delta of message.textStream) text += isTimedString(delta) ? delta.text : delta
      })(),
      (async () => {
        for await (const frame of message.audioStream) frames.push(frame)
      })(),
    ])
  }
  const samples = new Int16Array(frames.reduce((sum, frame) => sum + frame.samplesPerChannel, 0))
  let offset = 0
  for (const frame of frames) {
    samples.set(frame.data, offset)
    offset += frame.samplesPerChannel
  }
  return { text, frames, samples }
}

function nextEvent<T>(session: RealtimeSession, name: string, matches: (event: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (event: T) => {
      if (!matches(event)) return
      session.off(name, listener)
      resolve(event)
    }
    session.on(name, listener)
  })
}

describe('FakeOpenAIRealtime with LiveKit’s OpenAI realtime plugin', () => {
  let fake: FakeOpenAIRealtime
  let session: RealtimeSession
  let errors: llm.RealtimeModelError[]

  beforeAll(() => ensureAgentsLogger())
  beforeEach(async () => {
    fake = await FakeOpenAIRealtime.start({ apiKey: 'test-key' })
    const model = new openai.realtime.RealtimeModel({ baseURL: fake.baseURL, apiKey: 'test-key', model: 'gpt-realtime', voice: 'alloy', turnDetection: null })
    session = model.session()
    errors = []
    session.on('error', (error: llm.RealtimeModelError) => errors.push(error))
  })
  afterEach(async () => {
    await session.close()
    await fake.close()
  })

  it('is reached at /v1/realtime with the model and the key, and configured with the server’s turn detection off', async () => {
    const update = await fake.waitForEvent('session.update')
    expect(fake.requests).toEqual([
      { url: '/v1/realtime?model=gpt-realtime', model: 'gpt-realtime', authorization: 'Bearer test-key', userAgent: 'LiveKit-Agents-JS', openaiBeta: undefined, status: 101 },
    ])
    expect(update.session).toMatchObject({
      type: 'realtime',
      model: 'gpt-realtime',
      output_modalities: ['audio'],
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24_000 }, transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: null },
        output: { format: { type: 'audio/pcm', rate: 24_000 }, voice: 'alloy' },
      },
    })
    await expect.poll(() => fake.serverEvents.map(({ type }) => type)).toEqual(['session.created', 'session.updated'])
    expect(errors).toEqual([])
  })

  it('answers a committed turn of audio with its transcript and a spoken reply', async () => {
    const heard: { samples: Int16Array; index: number }[] = []
    fake.transcribe = (samples, index) => {
      heard.push({ samples, index })
      return 'Hei, jeg heter Kari.'
    }
    const transcript = nextEvent<llm.InputTranscriptionCompleted>(session, 'input_audio_transcription_completed', (event) => event.isFinal)
    const said = voice(1_050)
    speak(session, said)
    await session.commitAudio()
    const reply = await hear(await session.generateReply())

    expect(reply.text).toBe('Hei! Hyggelig å møte deg.')
    expect(reply.frames.every((frame) => frame.sampleRate === 24_000 && frame.channels === 1)).toBe(true)
    expect(reply.samples.length).toBe(5 * 1_440)
    expect(rms(reply.samples)).toBeGreaterThan(5_000)
    const committed = fake.serverEvents.find(({ type }) => type === 'input_audio_buffer.committed')!
    expect(await transcript).toMatchObject({ itemId: committed.item_id, transcript: 'Hei, jeg heter Kari.', isFinal: true })
    // The plugin sends whole 100 ms appends and keeps the last 50 ms for the next turn.
    expect(fake.eventsOf('input_audio_buffer.append')).toHaveLength(10)
    expect(fake.audioAppended()).toBe(24_000)
    expect(heard).toHaveLength(1)
    expect(heard[0]!.index).toBe(0)
    expect(heard[0]!.samples).toEqual(said.subarray(0, 24_000))
    expect(fake.responses).toMatchObject([{ text: 'Hei! Hyggelig å møte deg.', samplesSent: 5 * 1_440, status: 'completed' }])
    const done = fake.serverEvents.find(({ type }) => type === 'response.done') as ServerEvent & { response: Record<string, unknown> }
    expect(done.response).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: 'Hei! Hyggelig å møte deg.' }] }],
      usage: { input_token_details: { audio_tokens: 10 }, output_token_details: { audio_tokens: 6 } },
    })
    expect(errors).toEqual([])
  })

  it('gives the model the session’s instructions, and generateReply’s added to them', async () => {
    const contexts: ReplyContext[] = []
    fake.reply = (context) => {
      contexts.push(context)
      return 'Hei!'
    }
    await session.updateInstructions('Du er en vennlig norsklærer.')
    await hear(await session.generateReply('Hils på eleven.'))

    expect(fake.sessionUpdates.at(-1)).toEqual({ type: 'realtime', instructions: 'Du er en vennlig norsklærer.' })
    expect(contexts).toMatchObject([{ instructions: 'Du er en vennlig norsklærer.', responseInstructions: 'Du er en vennlig norsklærer.\nHils på eleven.', index: 0 }])
  })

  it('takes typed input through a chat context update, and keeps both sides in the conversation', async () => {
    const contexts: ReplyContext[] = []
    fake.reply = (context) => {
      contexts.push(context)
      return 'Jeg heter Ava.'
    }
    const chatCtx = session.chatCtx.copy()
    chatCtx.addMessage({ role: 'user', content: 'Hva heter du?' })
    await session.updateChatCtx(chatCtx)
    const reply = await hear(await session.generateReply())

    expect(fake.eventsOf('conversation.item.create')).toMatchObject([{ item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hva heter du?' }] } }])
    expect(contexts[0]!.conversation).toMatchObject([{ role: 'user', text: 'Hva heter du?' }])
    expect(reply.text).toBe('Jeg heter Ava.')
    expect(session.chatCtx.items.map((item) => (item.type === 'message' ? [item.role, item.textContent] : item.type))).toEqual([
      ['user', 'Hva heter du?'],
      ['assistant', 'Jeg heter Ava.'],
    ])
  })

  it('stops a reply that is interrupted, ending it as cancelled', async () => {
    fake.reply = () => 'Det var en gang en liten gutt som bodde i en stor skog langt mot nord.'
    const generation = await session.generateReply()
    const message = (await generation.messageStream.getReader().read()).value!
    const audio = message.audioStream.getReader()
    await audio.read()
    await session.interrupt()
    while (!(await audio.read()).done);

    expect(fake.eventsOf('response.cancel')).toHaveLength(1)
    expect(fake.responses).toMatchObject([{ status: 'cancelled' }])
    expect(fake.responses[0]!.samplesSent).toBeLessThan(fake.replyAudio(fake.responses[0]!.text).length)
    await expect.poll(() => fake.serverEvents.at(-1)).toMatchObject({ type: 'response.done', response: { status: 'cancelled', status_details: { type: 'cancelled', reason: 'client_cancelled' } } })
    expect(errors).toEqual([])
  })

  it('fails generateReply when the service refuses the response with an error event', async () => {
    fake.failNextResponse = 'error'
    await expect(session.generateReply()).rejects.toThrow('The server had an error while processing your request.')
    expect(errors).toHaveLength(1)
    expect(errors[0]!).toMatchObject({ recoverable: true, error: { body: { type: 'server_error', code: 'server_error' } } })

    // The next response is not affected.
    expect((await hear(await session.generateReply())).text).toBe('Hei! Hyggelig å møte deg.')
  })

  it('ends the reply and reports an error when the response fails midway', async () => {
    fake.failNextResponse = 'failed'
    const reply = await hear(await session.generateReply())

    expect(reply.samples.length).toBeGreaterThan(0)
    expect(reply.samples.length).toBeLessThan(5 * 1_440)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.error.message).toBe('OpenAI Realtime API response failed with error type: server_error')
    expect(fake.responses).toMatchObject([{ status: 'failed' }])
  })

  it('ends the reply and reconnects when the connection drops midway', async () => {
    fake.failNextResponse = 'close'
    const reconnected = nextEvent(session, 'session_reconnected')
    const reply = await hear(await session.generateReply())
    await reconnected

    expect(reply.samples.length).toBeLessThan(5 * 1_440)
    expect(fake.connections).toBe(2)
    expect(fake.responses).toMatchObject([{ status: 'closed' }])
    // The plugin sets the new connection's session up again.
    await expect.poll(() => fake.eventsOf('session.update')).toHaveLength(2)
  })
})

describe('FakeOpenAIRealtime, spoken to directly', () => {
  let fake: FakeOpenAIRealtime
  let client: WebSocket | undefined

  beforeEach(async () => {
    fake = await FakeOpenAIRealtime.start({ apiKey: 'test-key' })
  })
  afterEach(async () => {
    client?.terminate()
    client = undefined
    await fake.close()
  })

  function url(): string {
    return `${fake.baseURL.replace(/^http/, 'ws')}/realtime?model=gpt-realtime`
  }

  /** The HTTP status and body an upgrade is refused with. */
  function refusal(headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      client = new WebSocket(url(), { headers })
      client.on('open', () => reject(new Error('the upgrade was accepted')))
      client.on('error', () => {})
      client.on('unexpected-response', (_request, response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }))
      })
    })
  }

  /** A raw client: `next(type)` gives the first server event of that type not taken yet, received or to come. */
  async function connect() {
    const unread: ServerEvent[] = []
    const waiters: { type: string; resolve: (event: ServerEvent) => void }[] = []
    const socket = new WebSocket(url(), { headers: { Authorization: 'Bearer test-key' } })
    client = socket
    socket.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString()) as ServerEvent
      const waiter = waiters.find(({ type }) => type === event.type)
      if (!waiter) return unread.push(event)
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve(event)
    })
    const next = (type: string) => {
      const index = unread.findIndex((event) => event.type === type)
      if (index >= 0) return Promise.resolve(unread.splice(index, 1)[0]!)
      return new Promise<ServerEvent>((resolve) => waiters.push({ type, resolve }))
    }
    await next('session.created')
    return { next, send: (event: Record<string, unknown>) => socket.send(JSON.stringify(event)) }
  }

  it('refuses a connection without a key, or with a wrong one, with 401 as the service does', async () => {
    expect(await refusal({})).toMatchObject({ status: 401, body: { error: { type: 'invalid_request_error', code: null } } })
    expect(await refusal({ Authorization: 'Bearer wrong-key-1234' })).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } })
    expect(fake.connections).toBe(0)
    expect(fake.requests.map(({ status }) => status)).toEqual([401, 401])
  })

  it('refuses to commit less than 100 ms of audio with the service’s error', async () => {
    const { next, send } = await connect()
    send({ type: 'input_audio_buffer.append', audio: Buffer.from(voice(50).buffer).toString('base64') })
    send({ type: 'input_audio_buffer.commit', event_id: 'commit_1' })

    expect(await next('error')).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'input_audio_buffer_commit_empty',
        message: 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 50.00ms of audio.',
        event_id: 'commit_1',
      },
    })
  })

  it('clears the input buffer, and refuses a beta-shaped session update', async () => {
    const { next, send } = await connect()
    send({ type: 'input_audio_buffer.append', audio: Buffer.from(voice(200).buffer).toString('base64') })
    send({ type: 'input_audio_buffer.clear' })
    await next('input_audio_buffer.cleared')
    send({ type: 'input_audio_buffer.commit' })
    expect(await next('error')).toMatchObject({ error: { code: 'input_audio_buffer_commit_empty' } })

    send({ type: 'session.update', event_id: 'update_1', session: { modalities: ['audio', 'text'], voice: 'alloy' } })
    expect(await next('error')).toMatchObject({ error: { code: 'missing_required_parameter', param: 'session.type', event_id: 'update_1' } })
    send({ type: 'session.update', event_id: 'update_2', session: { type: 'realtime', modalities: ['audio', 'text'] } })
    expect(await next('error')).toMatchObject({ error: { code: 'unknown_parameter', param: 'session.modalities', event_id: 'update_2' } })
  })

  it('deletes and truncates conversation items, and replies in text when asked for text', async () => {
    const { next, send } = await connect()
    send({ type: 'conversation.item.create', item: { id: 'item_user_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hei.' }] } })
    expect(await next('conversation.item.added')).toMatchObject({ previous_item_id: null, item: { id: 'item_user_1', object: 'realtime.item', status: 'completed' } })

    send({ type: 'response.create', response: { output_modalities: ['text'] } })
    const textDone = await next('response.output_text.done')
    expect(textDone).toMatchObject({ text: 'Hei! Hyggelig å møte deg.' })
    await next('response.done')

    send({ type: 'response.create' })
    const audioDone = await next('response.done')
    const assistant = (audioDone.response as { output: { id: string }[] }).output[0]!.id
    send({ type: 'conversation.item.truncate', item_id: assistant, content_index: 0, audio_end_ms: 100 })
    expect(await next('conversation.item.truncated')).toMatchObject({ item_id: assistant, audio_end_ms: 100 })
    send({ type: 'conversation.item.delete', item_id: 'item_user_1' })
    expect(await next('conversation.item.deleted')).toMatchObject({ item_id: 'item_user_1' })
    send({ type: 'conversation.item.delete', item_id: 'item_user_1', event_id: 'delete_again' })
    expect(await next('error')).toMatchObject({ error: { type: 'invalid_request_error', event_id: 'delete_again' } })

    const contexts: ReplyContext[] = []
    fake.reply = (context) => {
      contexts.push(context)
      return 'Ja.'
    }
    send({ type: 'response.create' })
    await next('response.done')
    // The truncated reply's words are gone from what the model remembers, as on the service.
    expect(contexts[0]!.conversation.map(({ role, text }) => [role, text])).toEqual([
      ['assistant', 'Hei! Hyggelig å møte deg.'],
      ['assistant', ''],
    ])
  })

  it('refuses a second response while one is in progress, and a cancel with none', async () => {
    const { next, send } = await connect()
    send({ type: 'response.create' })
    await next('response.created')
    send({ type: 'response.create', event_id: 'second' })
    expect(await next('error')).toMatchObject({ error: { code: 'conversation_already_has_active_response', event_id: 'second' } })
    await next('response.done')
    send({ type: 'response.cancel', event_id: 'cancel_1' })
    expect(await next('error')).toMatchObject({ error: { code: 'response_cancel_not_active', message: expect.stringMatching(/^Cancellation failed/) } })
  })
})

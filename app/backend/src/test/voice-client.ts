import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { WebSocket } from 'ws'
import type { TestUser } from './accounts.js'

/** A voice client as a browser runs it: a ticket, the socket, hello, then frames and messages. */
export class VoiceClient {
  readonly messages: Array<Record<string, unknown>> = []
  readonly audio: Int16Array[] = []
  closed: { code: number; reason: string } | null = null
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = data as Buffer
        this.audio.push(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)))
      } else this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>)
    })
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }))
  }

  static async open(base: string, ticket: string): Promise<VoiceClient> {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/voice/ws?ticket=${encodeURIComponent(ticket)}`)
    const client = new VoiceClient(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return client
  }

  send(message: Record<string, unknown>) {
    this.socket.send(JSON.stringify(message))
  }

  async until(predicate: (client: VoiceClient) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out; messages: ${JSON.stringify(this.messages.map((message) => message.type))}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  of(type: string) {
    return this.messages.filter((message) => message.type === type)
  }

  close() {
    this.socket.close()
  }
}

/** A fresh single-use ticket for the WebSocket transport, checked as the token endpoint gives it. */
export async function voiceTicket(app: FastifyInstance, user: TestUser): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/sessions/default/token', headers: user.headers, payload: {} })
  expect(response.statusCode, response.body).toBe(200)
  const access = response.json()
  expect(access).toMatchObject({ transport: 'websocket', url: '/api/v1/voice/ws', ticket: expect.stringMatching(/^vt_/) })
  expect(Date.parse(access.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000)
  return access.ticket
}

/** Opens a voice connection and says hello (16 kHz, server speech-to-text unless `hello` says otherwise); resolves once ready or closed. */
export async function connectVoice(app: FastifyInstance, base: string, user: TestUser, hello: Record<string, unknown> = {}): Promise<VoiceClient> {
  const client = await VoiceClient.open(base, await voiceTicket(app, user))
  client.send({ type: 'hello', protocol: 1, sampleRate: 16_000, speechToText: 'server', ...hello })
  await client.until((c) => c.of('ready').length > 0 || c.closed !== null)
  return client
}

/**
 * Speech as a microphone streams it, in real time in 40 ms frames: half a second of silence, the
 * words (PCM16 at 16 kHz), two seconds of silence — stopping early once `enough` holds. Resolves when
 * the reply has been spoken.
 */
export async function streamSpeech(client: VoiceClient, speech: Int16Array, enough: (client: VoiceClient) => boolean = () => false): Promise<void> {
  const silence = new Int16Array(16_000 * 2)
  const audio = Int16Array.from([...silence.subarray(0, 8_000), ...speech, ...silence])
  for (let offset = 0; offset < audio.length; offset += 640) {
    client.socket.send(Buffer.from(audio.slice(offset, offset + 640).buffer))
    await new Promise((resolve) => setTimeout(resolve, 40))
    if (enough(client)) break
  }
  await client.until((c) => c.of('speech').some((message) => message.event === 'end'), 30_000)
}


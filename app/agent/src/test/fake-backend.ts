import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtVerify, type JWTPayload } from 'jose'
import type { AgentContext, AgentTurnRequest } from '../backend.js'

/**
 * A stand-in for the backend's agent API on a local port: it checks every call's service token the
 * way the backend does (HS256 with the shared secret, iss/aud/sub, lifetime ≤ 10 minutes, the path's
 * learner is the token's), answers the context, join and leave, streams a scripted reply to turns
 * as Server-Sent Events, cut into small chunks as a real network would, and takes turn audio
 * (`PUT …/turns/:turnId/audio`, audio/L16), recording its turn id, sample rate and length.
 */

export interface RecordedCall {
  method: string
  path: string
  claims: JWTPayload
  body: unknown
}

export type ScriptedReply = Array<{ event: string; data: unknown }>

/** What a turn-audio call (path `audio`) records as its body. */
export interface RecordedAudio {
  turnId: string
  /** From the content type's `rate`. */
  sampleRate: number
  /** Length of the PCM16 body, in bytes. */
  bytes: number
  /** The first sample, read little-endian (to check the byte order). */
  firstSample: number
}

export interface FakeBackend {
  url: string
  calls: RecordedCall[]
  /** Refused calls: status and path. */
  refusals: Array<{ status: number; path: string }>
  /** The context answered next (change it to simulate the learner starting an exam). */
  context: AgentContext
  /** The reply to the next turn, given the turn's request body. */
  reply: (body: AgentTurnRequest) => ScriptedReply
  /** Set to refuse turns before any reply, as the backend does (409: the mock exam is over). */
  refuseTurns?: { status: number; detail: string }
  /** The session's mode an exchange reports (the backend's, after storing it). */
  exchangeMode: 'free' | 'lesson' | 'exam'
  /** Set to fail exchanges (the database is down). */
  failExchanges?: boolean
  /** Set to take turn audio and never answer (a backend that hangs). */
  stallAudio?: boolean
  close(): Promise<void>
}

export async function startFakeBackend(secret: string, context: AgentContext): Promise<FakeBackend> {
  const key = new TextEncoder().encode(secret)
  const backend: FakeBackend = {
    url: '',
    calls: [],
    refusals: [],
    context,
    exchangeMode: 'free',
    reply: ({ clientTurnId, text }) => [
      { event: 'turn', data: { turn: { id: 't-1', role: 'learner', clientTurnId, text } } },
      { event: 'delta', data: { text: 'Hei! ' } },
      { event: 'delta', data: { text: 'Hvor bor du?' } },
      { event: 'done', data: { turn: { id: 't-2', role: 'tutor', text: 'Hei! Hvor bor du?' }, replayed: false } },
    ],
    close: async () => {},
  }

  const refuse = (response: ServerResponse, status: number, path: string, detail: string) => {
    backend.refusals.push({ status, path })
    response.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status, title: 'Refused', detail }))
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const path = request.url ?? ''
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const bytes = Buffer.concat(chunks)

      const match = /^\/api\/v1\/agent\/sessions\/([^/]+)\/(context|join|leave|turns|latency|exchanges|turns\/([^/]+)\/audio)$/.exec(path)
      if (!match) return refuse(response, 404, path, 'no such route')
      const audio = match[3] !== undefined
      const text = audio ? '' : bytes.toString('utf8')
      let body: unknown = text ? (JSON.parse(text) as unknown) : undefined
      const header = request.headers.authorization ?? ''
      let claims: JWTPayload
      try {
        ;({ payload: claims } = await jwtVerify(header.replace(/^Bearer /, ''), key, {
          algorithms: ['HS256'],
          issuer: 'avaaz-agent',
          audience: 'avaaz-backend',
          subject: 'agent',
          requiredClaims: ['iat', 'exp', 'uid', 'sid'],
        }))
      } catch {
        return refuse(response, 401, path, 'bad service token')
      }
      if (claims.exp! - claims.iat! > 600) return refuse(response, 401, path, 'token lives too long')
      if (claims.uid !== decodeURIComponent(match[1]!) || claims.sid !== backend.context.sessionId) return refuse(response, 403, path, 'token for another learner')
      if (audio) {
        const rate = /^audio\/L16;\s*rate=(\d+)$/i.exec(request.headers['content-type'] ?? '')
        if (request.method !== 'PUT' || !rate) return refuse(response, 415, path, 'not audio/L16; rate=…')
        if (bytes.length === 0 || bytes.length % 2 !== 0) return refuse(response, 400, path, 'not PCM16')
        body = { turnId: decodeURIComponent(match[3]!), sampleRate: Number(rate[1]), bytes: bytes.length, firstSample: bytes.readInt16LE(0) } satisfies RecordedAudio
      }
      backend.calls.push({ method: request.method ?? '', path: audio ? 'audio' : match[2]!, claims, body })

      if (audio) {
        if (backend.stallAudio) return
        return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ stored: true }))
      }
      switch (match[2]) {
        case 'context':
          return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(backend.context))
        case 'latency':
          return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recorded: true }))
        case 'exchanges': {
          if (backend.failExchanges) return refuse(response, 500, path, 'internal error')
          const exchange = body as { learner: { clientTurnId: string; text: string } | null; reply: { text: string } }
          const stored = {
            learner: exchange.learner ? { id: `l-${exchange.learner.clientTurnId}`, role: 'learner', text: exchange.learner.text } : null,
            tutor: exchange.reply.text ? { id: `t-${backend.calls.length}`, role: 'tutor', text: exchange.reply.text } : null,
            mode: backend.exchangeMode,
          }
          return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stored))
        }
        case 'join':
        case 'leave':
          return response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ changed: true, sitting: { id: `sitting-of-${backend.context.sessionId}` } }))
        case 'turns': {
          if (backend.refuseTurns) return refuse(response, backend.refuseTurns.status, path, backend.refuseTurns.detail)
          response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
          const stream = backend
            .reply(body as AgentTurnRequest)
            .map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
            .join('')
          // Cut across event boundaries, so the agent's reader must join the pieces.
          for (let at = 0; at < stream.length; at += 17) {
            response.write(stream.slice(at, at + 17))
            await new Promise((resolve) => setImmediate(resolve))
          }
          return response.end()
        }
      }
    })().catch((error: unknown) => {
      response.destroy(error as Error)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Calls left hanging (stallAudio) end with it.
      server.closeAllConnections()
    })
  return backend
}

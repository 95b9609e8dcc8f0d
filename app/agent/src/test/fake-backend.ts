import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtVerify, type JWTPayload } from 'jose'
import type { AgentContext } from '../backend.js'

/**
 * A stand-in for the backend's agent API on a local port: it checks every call's service token the
 * way the backend does (HS256 with the shared secret, iss/aud/sub, lifetime ≤ 10 minutes, the path's
 * learner is the token's), answers the context, join and leave, and streams a scripted reply to turns
 * as Server-Sent Events, cut into small chunks as a real network would.
 */

export interface RecordedCall {
  method: string
  path: string
  claims: JWTPayload
  body: unknown
}

export type ScriptedReply = Array<{ event: string; data: unknown }>

export interface FakeBackend {
  url: string
  calls: RecordedCall[]
  /** Refused calls: status and path. */
  refusals: Array<{ status: number; path: string }>
  /** The context answered next (change it to simulate the learner starting an exam). */
  context: AgentContext
  /** The reply to the next turn, given the turn's request body. */
  reply: (body: { clientTurnId: string; text: string }) => ScriptedReply
  /** Set to refuse turns before any reply, as the backend does (409: the mock exam is over). */
  refuseTurns?: { status: number; detail: string }
  /** The session's mode an exchange reports (the backend's, after storing it). */
  exchangeMode: 'free' | 'lesson' | 'exam'
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
      const text = Buffer.concat(chunks).toString('utf8')
      const body = text ? (JSON.parse(text) as unknown) : undefined

      const match = /^\/api\/v1\/agent\/sessions\/([^/]+)\/(context|join|leave|turns|latency|exchanges)$/.exec(path)
      if (!match) return refuse(response, 404, path, 'no such route')
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
      backend.calls.push({ method: request.method ?? '', path: match[2]!, claims, body })

      switch (match[2]) {
        case 'context':
          return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(backend.context))
        case 'latency':
          return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recorded: true }))
        case 'exchanges': {
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
            .reply(body as { clientTurnId: string; text: string })
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
  backend.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return backend
}

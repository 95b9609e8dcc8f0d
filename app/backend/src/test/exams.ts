import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { ExamLevel } from '../core/db/schema/index.js'
import type { TestUser } from './accounts.js'
import { parseServerSentEvents } from './sse.js'

/** Drives the mock-exam API as the exam screen does. */
export function examClient(app: FastifyInstance, user: TestUser) {
  const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) })
  const client = {
    request,
    async start(level: ExamLevel, extra: object = {}) {
      const response = await request('POST', '/api/v1/exams/attempts', { level, ...extra })
      if (response.statusCode !== 201) throw new Error(`start failed: ${response.statusCode} ${response.body}`)
      return response.json()
    },
    view: async (id: string) => (await request('GET', `/api/v1/exams/attempts/${id}`)).json(),
    result: async (id: string) => (await request('GET', `/api/v1/exams/attempts/${id}/result`)).json(),
    advance: (attempt: { id: string; phase: string; part: { position: number } }) =>
      request('POST', `/api/v1/exams/attempts/${attempt.id}/advance`, { partPosition: attempt.part.position, phase: attempt.phase }),
    /** An answer; `timing` as a browser's speech recognition would send it. */
    async say(text: string, options: { examAttemptId?: string; timing?: { startedAt: string; endedAt: string } } = {}) {
      const response = await request('POST', '/api/v1/sessions/default/turns', { clientTurnId: randomUUID(), text, ...options })
      const events = response.statusCode === 200 ? parseServerSentEvents(response.body) : []
      return {
        response,
        events,
        reply: events.filter((event) => event.event === 'delta').map((event) => event.data.text as string).join(''),
        done: events.find((event) => event.event === 'done')?.data,
        change: events.find((event) => event.event === 'state')?.data.change,
      }
    },
    /**
     * Takes a whole attempt: moves on from instructions and preparation and answers (cycling through
     * `answers`) until the examiner closes each part. Returns the finished attempt and the parts seen.
     */
    async takeWholeExam(level: ExamLevel, answers: string[], options: { timed?: () => { startedAt: string; endedAt: string } } = {}) {
      let attempt = await client.start(level)
      const visited: Array<{ slug: string; roles: Set<string> }> = []
      for (let guard = 0; guard < 60 && attempt.status === 'in_progress'; guard++) {
        if (attempt.phase !== 'speaking') {
          const moved = await client.advance(attempt)
          if (moved.statusCode !== 200) throw new Error(`advance failed: ${moved.statusCode} ${moved.body}`)
          attempt = moved.json()
          continue
        }
        const entry = { slug: attempt.part.slug as string, roles: new Set<string>() }
        visited.push(entry)
        for (let turn = 0; turn < 14; turn++) {
          const { response, change, done } = await client.say(answers[turn % answers.length]!, options.timed ? { timing: options.timed() } : {})
          if (response.statusCode !== 200) throw new Error(`turn failed: ${response.statusCode} ${response.body}`)
          entry.roles.add(done.turn.role)
          if (change?.kind === 'exam') break
        }
        attempt = await client.view(attempt.id)
      }
      return { attempt, visited }
    },
    /** Waits for the scoring job. */
    async waitForResult(id: string, timeoutMs = 45_000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const result = await client.result(id)
        if (result.state !== 'pending' || Date.now() > until) return result
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
  }
  return client
}

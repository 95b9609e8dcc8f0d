import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider'
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test'
import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AiModels } from '../../core/ai/provider.js'
import { turns, users } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { parseServerSentEvents } from '../../test/sse.js'

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
}

function textStream(chunks: string[], extra: LanguageModelV3StreamPart[] = [], finish = true): ReadableStream<LanguageModelV3StreamPart> {
  const parts: LanguageModelV3StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't1' },
    ...chunks.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
    { type: 'text-end', id: 't1' },
    ...extra,
  ]
  if (finish) parts.push({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage } as LanguageModelV3StreamPart)
  return simulateReadableStream({ chunks: parts })
}

function toolCall(toolName: string, input: object): LanguageModelV3StreamPart {
  return { type: 'tool-call', toolCallId: randomUUID(), toolName, input: JSON.stringify(input) }
}

function mockModels(tutor: MockLanguageModelV3, summary?: MockLanguageModelV3, timeoutMs = 5_000): AiModels {
  return {
    provider: 'openai',
    modelName: 'mock-model',
    tutor,
    summary: summary ?? tutor,
    timeoutMs,
    healthCheck: { name: 'ai', required: false, check: async () => ({ provider: 'openai', model: 'mock-model' }) },
  }
}

async function say(harness: TestApp, user: TestUser, text: string, clientTurnId: string = randomUUID()) {
  const response = await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/turns', headers: user.headers, payload: { clientTurnId, text } })
  const events = parseServerSentEvents(response.body)
  return { events, of: (name: string) => events.filter((event) => event.event === name).map((event) => event.data) }
}

async function learner(harness: TestApp): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name: 'Jonas Berg' })
  await harness.app.db.update(users).set({ targetLevel: 'A2' }).where(eq(users.id, user.id))
  return user
}

describe('sessions: the tutor on a language model (AI SDK mock models)', () => {
  // Replies are chosen by what the learner said, so each test gets its own, whatever runs first.
  const attempts = new Map<string, number>()
  const tutor = new MockLanguageModelV3({
    doStream: async ({ prompt }) => {
      const last = prompt.at(-1)
      const said = last?.role === 'user' ? last.content.map((part) => (part.type === 'text' ? part.text : '')).join('') : ''
      const attempt = (attempts.get(said) ?? 0) + 1
      attempts.set(said, attempt)
      if (said.includes('Polen')) {
        // a reply that moves the lesson on, records a correction and shows a word list
        return {
          stream: textStream(['Så fint! ', 'Vi sier «Jeg kommer fra Polen». ', 'Hvor bor du nå?'], [
            toolCall('advance_step', {}),
            toolCall('record_correction', { original: 'Jeg komme fra Polen', corrected: 'Jeg kommer fra Polen', explanation: 'Present tense ends in -r.' }),
            toolCall('show_word_list', { title: 'Land', items: [{ term: 'Polen', gloss: 'Poland' }] }),
          ]),
        }
      }
      if (said.includes('Kristiansand') && attempt === 1) {
        // the provider fails mid-stream
        return {
          stream: simulateReadableStream({
            chunks: [
              { type: 'stream-start', warnings: [] },
              { type: 'text-start', id: 't1' },
              { type: 'text-delta', id: 't1', delta: 'Det var ' },
              { type: 'error', error: new Error('upstream connection reset') },
            ] as LanguageModelV3StreamPart[],
          }),
        }
      }
      if (said.includes('tool only')) {
        // a model that answers with a tool call and no words
        return {
          stream: simulateReadableStream({
            chunks: [
              { type: 'stream-start', warnings: [] },
              toolCall('advance_step', {}),
              { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage },
            ] as LanguageModelV3StreamPart[],
          }),
        }
      }
      return { stream: textStream(['Takk! ', 'Hva liker du å gjøre i fritiden?']) }
    },
  })
  const summary = new MockLanguageModelV3({
    doGenerate: {
      content: [
        {
          type: 'text',
          text: JSON.stringify({
            strengths: ['Told where you come from in full sentences.'],
            weaknesses: ['Verb endings in the present tense.'],
            corrections: [{ original: 'Jeg komme fra Polen', corrected: 'Jeg kommer fra Polen', explanation: 'Present tense ends in -r.' }],
            nextSteps: ['Practise the present tense in «Hei! Hva heter du?».'],
            rollingSummary: 'Jonas (A2) talked about his home country; works on present-tense endings.',
          }),
        },
      ],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage,
      warnings: [],
    },
  })
  let harness: TestApp
  let user: TestUser
  const polandTurnId = randomUUID()
  beforeAll(async () => {
    harness = await createTestApp({ aiModels: mockModels(tutor, summary) })
    user = await learner(harness)
  })
  afterAll(() => harness.close())

  it('streams the reply and turns its tool calls into step, correction and visual events, with the lesson instructions', async () => {
    await harness.app.inject({ method: 'PATCH', url: '/api/v1/sessions/default', headers: user.headers, payload: { mode: 'lesson', lesson: 'a1-greetings-and-names', step: 1 } })
    const { events, of } = await say(harness, user, 'Jeg komme fra Polen', polandTurnId)
    expect(of('delta').map((delta) => delta.text).join('')).toBe('Så fint! Vi sier «Jeg kommer fra Polen». Hvor bor du nå?')
    expect(of('state')[0].change).toMatchObject({ kind: 'step', position: 2 })
    expect(of('correction')[0].correction).toMatchObject({ corrected: 'Jeg kommer fra Polen', source: 'llm' })
    expect(of('visual')[0].aid).toMatchObject({ kind: 'word_list', title: 'Land' })
    expect(events.at(-1)!.event).toBe('done')

    const call = tutor.doStreamCalls.find((options) => JSON.stringify(options.prompt).includes('Polen'))!
    const system = call.prompt.find((message) => message.role === 'system')
    expect(system?.content).toContain('Current step 2 of 7')
    expect(system?.content).toContain('Level: A2')
    // The learner's words are messages, never part of the instructions.
    expect(system?.content).not.toContain('Polen')
    expect(call.prompt.at(-1)).toMatchObject({ role: 'user' })
    expect(call.tools?.map((tool) => tool.name).sort()).toEqual(['advance_step', 'record_correction', 'show_table', 'show_word_list'])

    const session = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    expect(session.lesson.step.position).toBe(2)
    expect(session.capabilities).toMatchObject({ tutor: { engine: 'openai', model: 'mock-model' }, offline: false, limitations: [] })
    const [learnerTurn] = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id)).then((rows) => rows.filter((row) => row.role === 'learner'))
    expect(learnerTurn!.corrections).toEqual([expect.objectContaining({ source: 'llm', corrected: 'Jeg kommer fra Polen' })])
  })

  it('replays a retried turn with everything its reply showed: words, step change and word list', async () => {
    const { of } = await say(harness, user, 'Jeg komme fra Polen', polandTurnId)
    expect(of('done')[0].replayed).toBe(true)
    expect(of('state')[0].change).toMatchObject({ kind: 'step', position: 2 })
    expect(of('visual')[0].aid).toMatchObject({ kind: 'word_list', title: 'Land' })
  })

  it('shows the word list with its reply again when the transcript is reloaded', async () => {
    const page = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default/turns', headers: user.headers })).json()
    const learnerTurn = page.items.find((turn: { clientTurnId: string | null }) => turn.clientTurnId === polandTurnId)
    const reply = page.items.find((turn: { replyToTurnId: string | null }) => turn.replyToTurnId === learnerTurn.id)
    expect(reply.visualAids).toEqual([{ kind: 'word_list', title: 'Land', items: [{ term: 'Polen', gloss: 'Poland' }] }])
    expect(learnerTurn.visualAids).toEqual([])
  })

  it('says the next step itself when the model answers with a tool call and no words', async () => {
    const before = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    const { of } = await say(harness, user, 'tool only: Jeg bor i Bergen.')
    const step = of('state')[0].change
    expect(step).toMatchObject({ kind: 'step', position: before.lesson.step.position + 1 })
    const lesson = (await harness.app.inject({ method: 'GET', url: '/api/v1/lessons/a1-greetings-and-names' })).json()
    expect(of('done')[0].turn.text).toBe(lesson.scenarios[0].steps[step.position].tutorPrompt)
  })

  it('keeps the learner turn and the partial reply (marked incomplete) when the provider fails mid-stream; a retry replies again', async () => {
    const clientTurnId = randomUUID()
    const failed = await say(harness, user, 'Jeg bor i Kristiansand med familien min.', clientTurnId)
    const error = failed.of('error')[0]
    expect(error).toMatchObject({ code: 'tutor_unavailable', retryable: true, turn: { text: 'Det var', incomplete: true } })
    expect(error.message).toMatch(/Your turn is saved/)
    expect(failed.of('done')).toHaveLength(0)

    const retried = await say(harness, user, 'Jeg bor i Kristiansand med familien min.', clientTurnId)
    expect(retried.of('done')[0]).toMatchObject({ replayed: false, turn: { text: 'Takk! Hva liker du å gjøre i fritiden?' } })
    const rows = await harness.app.db.select().from(turns).where(eq(turns.clientTurnId, clientTurnId))
    expect(rows).toHaveLength(1)
    const replies = await harness.app.db.select().from(turns).where(eq(turns.replyToTurnId, rows[0]!.id))
    expect(replies.map((reply) => reply.incomplete).sort()).toEqual([false, true])
  })

  it('has the language model write the sitting summary and the rolling summary (structured output)', async () => {
    const ended = await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/end', headers: user.headers })
    const sittingId = ended.json().sitting.id as string
    let sitting: { summaryStatus: string; summary: { writtenBy: string; strengths: string[]; recommendedLessons: string[] } } | undefined
    for (let i = 0; i < 75 && sitting?.summaryStatus !== 'ready'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      sitting = (await harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/sittings/${sittingId}`, headers: user.headers })).json()
    }
    expect(sitting!.summary.writtenBy).toBe('llm')
    expect(sitting!.summary.strengths).toEqual(['Told where you come from in full sentences.'])
    expect(sitting!.summary.recommendedLessons.length).toBeGreaterThan(0)
    const session = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    expect(session.rollingSummary).toBe('Jonas (A2) talked about his home country; works on present-tense endings.')
    const prompt = JSON.stringify(summary.doGenerateCalls[0]!.prompt)
    expect(prompt).toContain('Jeg komme fra Polen')
  })
})

describe('sessions: a provider that does not answer in time', () => {
  let harness: TestApp
  afterEach(() => harness?.close())

  it('cuts the reply off after the timeout with a clear event and keeps the learner turn', async () => {
    const hanging = new MockLanguageModelV3({
      doStream: async ({ abortSignal }) => ({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'stream-start', warnings: [] })
            controller.enqueue({ type: 'text-start', id: 't1' })
            controller.enqueue({ type: 'text-delta', id: 't1', delta: 'Hmm, ' })
            abortSignal?.addEventListener('abort', () => controller.error(abortSignal.reason))
          },
        }),
      }),
    })
    harness = await createTestApp({ aiModels: mockModels(hanging, undefined, 1_000) })
    const user = await learner(harness)
    const { of } = await say(harness, user, 'Jeg liker å gå på ski om vinteren.')
    expect(of('turn')).toHaveLength(1)
    expect(of('error')[0]).toMatchObject({ code: 'tutor_timeout', turn: { text: 'Hmm,', incomplete: true } })
  })
})

describe('sessions: an OpenAI-compatible server (Ollama, vLLM, llama.cpp) over HTTP', () => {
  let server: Server
  let baseUrl: string
  const requests: Array<{ url: string; body: Record<string, unknown> }> = []
  let models = ['llama3.1']

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let raw = ''
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()))
      request.on('end', () => {
        requests.push({ url: request.url ?? '', body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} })
        if (request.method === 'GET' && request.url === '/v1/models') {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model' })) }))
          return
        }
        if (request.method === 'POST' && request.url === '/v1/chat/completions') {
          response.writeHead(200, { 'content-type': 'text/event-stream' })
          const chunk = (delta: object, finish: string | null = null) =>
            `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama3.1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
          response.write(chunk({ role: 'assistant', content: 'Hei, Jonas! ' }))
          response.write(chunk({ content: 'Hva gjorde du i helgen?' }))
          response.write(chunk({}, 'stop'))
          response.end('data: [DONE]\n\n')
          return
        }
        response.writeHead(404).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('streams chat completions into the turn and reports the provider in /health/ready', async () => {
    const env = { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: baseUrl, AI_MODEL: 'llama3.1' }
    const harness = await createTestApp({ env })
    try {
      const user = await learner(harness)
      const { of } = await say(harness, user, 'Hei! Jeg heter Jonas.')
      expect(of('done')[0].turn.text).toBe('Hei, Jonas! Hva gjorde du i helgen?')
      const completion = requests.find((request) => request.url === '/v1/chat/completions')!
      expect(completion.body).toMatchObject({ model: 'llama3.1', stream: true })
      expect(JSON.stringify(completion.body.messages)).toContain('You are Avaaz')

      const ready = (await harness.app.inject({ method: 'GET', url: '/health/ready' })).json()
      expect(ready.checks.ai).toMatchObject({ status: 'up', required: false, details: { provider: 'openai-compatible', model: 'llama3.1', reachable: true } })
    } finally {
      await harness.close()
    }
  })

  it('reports the service degraded, not down, when the server does not have the model', async () => {
    models = ['mistral']
    const harness = await createTestApp({ env: { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: baseUrl, AI_MODEL: 'llama3.1' } })
    try {
      const response = await harness.app.inject({ method: 'GET', url: '/health/ready' })
      expect(response.statusCode).toBe(200)
      expect(response.json().status).toBe('degraded')
      expect(response.json().checks.ai).toMatchObject({ status: 'down', error: 'the server does not list the model llama3.1' })
    } finally {
      models = ['llama3.1']
      await harness.close()
    }
  })
})

/**
 * `npm run bench:turns` — tutor turns with the offline tutor, over real HTTP on the embedded database:
 *  1. server time from a turn request to the first streamed byte of the reply (p50, p95), against a
 *     bare Fastify route that streams one Server-Sent Event, measured in the same run;
 *  2. fetching a transcript page with 10,000 turns in the session, against the same fetch with 100
 *     turns (a ratio near 1 means paging stays flat as the transcript grows).
 * Results replace the "Tutor turns" section of docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import { loadConfig } from '../app/backend/src/core/config.js'
import { buildApp } from '../app/backend/src/main.js'
import { createVerifiedUser } from '../app/backend/src/test/accounts.js'
import { temporaryDirectory } from '../app/backend/src/test/harness.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const samples = Number(process.env.BENCH_SAMPLES ?? 200)
const SECTION = '## Tutor turns'

interface Timing {
  p50: number
  p95: number
}

function percentiles(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: round(at(0.5)), p95: round(at(0.95)) }
}

const round = (value: number) => Math.round(value * 100) / 100

/** Milliseconds from sending the request to the first byte of the response body. */
function timeToFirstByte(url: string, options: { method: string; headers?: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { method: options.method, headers: options.headers }, (response) => {
      let first: number | undefined
      response.on('data', () => {
        first ??= performance.now() - started
      })
      response.on('end', () => {
        if ((response.statusCode ?? 500) >= 400) reject(new Error(`${url} answered ${response.statusCode}`))
        else resolve(first ?? performance.now() - started)
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const dataDir = temporaryDirectory('avaaz-bench-turns-')
const config = loadConfig({ DATA_DIR: dataDir.path, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000', JOBS_POLLING_INTERVAL_SECONDS: '1' })
const app = await buildApp({ config })
const baseline = Fastify()
baseline.get('/sse', async (_request, reply) => {
  const stream = new PassThrough()
  stream.end(`event: delta\ndata: ${JSON.stringify({ text: 'Hei!' })}\n\n`)
  return reply.header('content-type', 'text/event-stream').send(stream)
})
try {
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const baselineUrl = await baseline.listen({ host: '127.0.0.1', port: 0 })
  const user = await createVerifiedUser(app, { name: 'Bench Learner' })
  const headers = { ...user.headers, 'content-type': 'application/json' }
  const answers = ['Jeg heter Bench og kommer fra Polen.', 'I dag jeg jobber hjemme.', 'Jeg liker å lage mat med familien min.', 'Jeg vet ikke.']
  const turn = (i: number) =>
    timeToFirstByte(`${appUrl}/api/v1/sessions/default/turns`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ clientTurnId: randomUUID(), text: answers[i % answers.length] }),
    })
  const sse = () => timeToFirstByte(`${baselineUrl}/sse`, { method: 'GET' })

  // Warm-up, then alternate baseline and app so a slow moment on the shared machine hits both.
  for (let i = 0; i < 20; i += 1) await Promise.all([turn(i), sse()])
  const turnTimes: number[] = []
  const sseTimes: number[] = []
  for (let i = 0; i < samples; i += 1) {
    sseTimes.push(await sse())
    turnTimes.push(await turn(i))
  }

  // Transcripts: a learner with 100 turns and one with 10,000, inserted directly (50 sittings of 200).
  async function learnerWithTurns(total: number) {
    const learner = await createVerifiedUser(app, { name: `Transcript ${total}` })
    const session = (await app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: learner.headers })).json() as { id: string }
    const perSitting = Math.min(total, 200)
    for (let s = 0; s < total / perSitting; s += 1) {
      await app.database.executeSql(
        `with sitting as (
           insert into sittings (tutor_session_id, user_id, transport, started_at, ended_at, end_reason, summary_status)
           values ($1, $2, 'text', now() - make_interval(days => $3), now() - make_interval(days => $3) + interval '30 minutes', 'idle', 'unavailable')
           returning id, started_at
         )
         insert into turns (tutor_session_id, sitting_id, user_id, sequence, role, text, created_at)
         select $1, sitting.id, $2, g, (case when g % 2 = 1 then 'learner' else 'tutor' end)::turn_role,
                'Jeg liker å gå tur i skogen om høsten, og jeg tar ofte bilder.', sitting.started_at + make_interval(secs => g * 5)
           from sitting, generate_series(1, $4::int) g`,
        [session.id, learner.id, 400 - s, perSitting],
      )
    }
    const middle = (await app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns?limit=200`, headers: learner.headers })).json() as {
      items: Array<{ id: string }>
    }
    return { learner, middleId: middle.items[0]!.id }
  }
  const small = await learnerWithTurns(100)
  const large = await learnerWithTurns(10_000)
  // What the embedded database's hourly maintenance job does (core/db/maintenance.ts).
  await app.database.executeSql('analyze')
  const page = (who: typeof small, deep: boolean) =>
    timeToFirstByte(`${appUrl}/api/v1/sessions/default/turns?limit=50${deep ? `&before=${who.middleId}` : ''}`, { method: 'GET', headers: who.learner.headers })
  for (let i = 0; i < 20; i += 1) await Promise.all([page(small, false), page(large, false)])
  const pageTimes = { small: [] as number[], large: [] as number[], smallDeep: [] as number[], largeDeep: [] as number[] }
  for (let i = 0; i < samples; i += 1) {
    pageTimes.small.push(await page(small, false))
    pageTimes.large.push(await page(large, false))
    pageTimes.smallDeep.push(await page(small, true))
    pageTimes.largeDeep.push(await page(large, true))
  }

  const turnT = percentiles(turnTimes)
  const sseT = percentiles(sseTimes)
  const p = Object.fromEntries(Object.entries(pageTimes).map(([key, values]) => [key, percentiles(values)])) as Record<keyof typeof pageTimes, Timing>
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : 0)
  const section = `${SECTION}

Measured by \`npm run bench:turns\` (\`bench/turns.ts\`): the real app on the embedded database (PGlite),
the offline tutor, over HTTP on loopback; ${samples} samples each, sequential (a learner waits for each
reply), baseline and app alternated. Times in milliseconds; ratios are app ÷ baseline (lower is better).

Last run: ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'} · Node ${process.version}

| measure | p50 | p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 |
|---|---:|---:|---:|---:|---:|---:|
| turn request → first streamed byte (baseline: bare Fastify SSE event) | ${turnT.p50} | ${turnT.p95} | ${sseT.p50} | ${sseT.p95} | ${ratio(turnT.p50, sseT.p50)} | ${ratio(turnT.p95, sseT.p95)} |
| transcript, newest page of 50, 10,000 turns (baseline: 100 turns) | ${p.large.p50} | ${p.large.p95} | ${p.small.p50} | ${p.small.p95} | ${ratio(p.large.p50, p.small.p50)} | ${ratio(p.large.p95, p.small.p95)} |
| transcript, page of 50 before a cursor, 10,000 turns (baseline: 100 turns) | ${p.largeDeep.p50} | ${p.largeDeep.p95} | ${p.smallDeep.p50} | ${p.smallDeep.p95} | ${ratio(p.largeDeep.p50, p.smallDeep.p50)} | ${ratio(p.largeDeep.p95, p.smallDeep.p95)} |

The first byte of a turn is the \`turn\` event: by then the learner's turn is validated, checked for a
retry, stored in its sitting, checked by the grammar rules and the day's activity recorded; the
reply follows in the same stream. Transcript pages use the (tutor_session_id, created_at, sequence)
index, so their cost should not grow with the transcript; on the embedded database this needs
current planner statistics, which an hourly job refreshes (PGlite has no autovacuum), and the run
refreshes them after inserting the transcripts as that job would.
`
  const file = path.join(root, 'docs', 'benchmarks.md')
  const previous = readFileSync(file, 'utf8')
  const parts = previous.split(/\n(?=## )/)
  const kept = parts.filter((part) => !part.startsWith(SECTION))
  writeFileSync(file, [...kept.map((part) => part.trimEnd()), section.trimEnd()].join('\n\n') + '\n')
  console.log(section)
} finally {
  await baseline.close()
  await app.close()
  rmSync(dataDir.path, { recursive: true, force: true })
}

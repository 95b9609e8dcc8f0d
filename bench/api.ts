/**
 * `npm run bench:api` — throughput and latency of /health/live and /health/ready against a bare
 * Fastify hello-world started in the same run, on the same machine, the same way (a child process
 * each, autocannon in this process). Results go to docs/benchmarks.md as ratios to that baseline, so
 * they compare across machines; absolute numbers are only context.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const root = fileURLToPath(new URL('..', import.meta.url))
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const target = 0.7

interface Measurement {
  name: string
  url: string
  requestsPerSecond: number
  /** Server CPU time (user + system) per request, in µs: independent of how fast the load generator is. */
  cpuMicrosPerRequest: number | undefined
  p50: number
  p99: number
  errors: number
  non2xx: number
}

function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = ready.exec(output)
      if (match) resolve({ child, match })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)))
  })
}

/** CPU time a process has used so far, in ms (Linux /proc; undefined elsewhere). */
function processCpuMillis(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    const ticksPerSecond = 100
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  } catch {
    return undefined
  }
}

async function measure(name: string, url: string, server: ChildProcess): Promise<Measurement> {
  // A short warm-up lets the JIT settle before the measured run.
  await autocannon({ url, connections, duration: 2 })
  const cpuBefore = processCpuMillis(server.pid)
  const result = await autocannon({ url, connections, duration: durationSeconds })
  const cpuAfter = processCpuMillis(server.pid)
  const requests = result.requests.total
  return {
    name,
    url: new URL(url).pathname,
    requestsPerSecond: result.requests.average,
    cpuMicrosPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && requests > 0 ? ((cpuAfter - cpuBefore) * 1000) / requests : undefined,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  }
}

function median(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  // Drop the "exited early" rejection from startProcess before waiting for this deliberate exit.
  child.removeAllListeners('exit')
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

// autocannon's sockets do not keep the event loop alive on their own; this does, until the end.
const keepAlive = setInterval(() => {}, 1_000)
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avaaz-bench-'))
const children: ChildProcess[] = []
try {
  const bare = await startProcess(['bench/bare-server.ts'], {}, /listening (http:\/\/\S+)/)
  children.push(bare.child)
  const app = await startProcess(
    ['app/backend/src/server.ts'],
    { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    /Avaaz is running at (http:\/\/\S+)/,
  )
  children.push(app.child)

  // This machine is shared and noisy: alternate baseline and app over several rounds and compare
  // medians, so a slow moment hurts both sides instead of one.
  const baselineRuns: Measurement[] = []
  const liveRuns: Measurement[] = []
  for (let round = 0; round < rounds; round++) {
    baselineRuns.push(await measure('bare Fastify hello-world (baseline)', `${bare.match[1]}/`, bare.child))
    liveRuns.push(await measure('Avaaz /health/live', `${app.match[1]}/health/live`, app.child))
  }
  const baseline = median(baselineRuns)
  const live = median(liveRuns)
  const ready = await measure('Avaaz /health/ready (PGlite)', `${app.match[1]}/health/ready`, app.child)
  await stop(bare.child)
  await stop(app.child)

  const cpuRatio = (m: Measurement) =>
    m.cpuMicrosPerRequest && baseline.cpuMicrosPerRequest ? (baseline.cpuMicrosPerRequest / m.cpuMicrosPerRequest).toFixed(2) : 'n/a'
  const rows = [baseline, live, ready].map((m) => {
    const ratio = m.requestsPerSecond / baseline.requestsPerSecond
    const cpu = m.cpuMicrosPerRequest === undefined ? 'n/a' : m.cpuMicrosPerRequest.toFixed(1)
    return `| ${m.name} | \`${m.url}\` | ${Math.round(m.requestsPerSecond)} | **${ratio.toFixed(2)}** | ${cpu} | ${cpuRatio(m)} | ${m.p50} | ${m.p99} | ${m.errors + m.non2xx} |`
  })
  const liveRatio = live.requestsPerSecond / baseline.requestsPerSecond
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const report = `# Benchmarks

Measured by \`npm run bench:api\` (\`bench/api.ts\`). Each server runs in its own child process and
autocannon drives it from the benchmark process over loopback: ${connections} connections, a 2 s
warm-up, then ${durationSeconds} s measured. Baseline and app are measured alternately over ${rounds}
rounds and the median round of each is reported (the machine is shared; alternating makes a slow
moment hit both sides). Throughput is reported as a ratio to a bare Fastify
hello-world measured in the same run, so numbers from different machines compare; absolute figures
are context only. Latency in milliseconds.

On a 2-core machine the load generator takes one core, so throughput also depends on how fast it
parses each response (bigger responses, fewer requests per second). The server's own CPU time per
request (from /proc) does not, so it is reported too: the CPU-cost ratio is baseline µs ÷ app µs.

## API health endpoints

Last run: ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${cpu} · Node ${process.version}

| server | path | requests/s | throughput ratio | server CPU µs/request | CPU-cost ratio | p50 ms | p99 ms | errors |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Target: \`/health/live\` at ≥ ${target} of the baseline — **${liveRatio >= target ? 'met' : 'NOT met'}** (${liveRatio.toFixed(2)}).

\`/health/live\` goes through the full production middleware: request id, security headers (the
OWASP REST set, computed once at start), response serialisation compiled from its zod schema
(\`trustedResponse\`), a per-request logger bound to the request id (created only when it first
writes a line: probes log only at warn level, so a healthy probe never needs one; probes are
exempt from rate limiting and, being no browser API, from CORS). The server is started as in
production, so it also pins a \`process.nextTick\` queue entry at start (\`pin-tick-shape.ts\`),
without which V8 leaves \`nextTick\` on a slow path after the app's start-up. \`/health/ready\`
also runs the database check (a query and the migration status) on every call, so it is bounded
by the database, not by HTTP.
`
  const file = path.join(root, 'docs', 'benchmarks.md')
  const previous = (() => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return ''
    }
  })()
  // Sections for other benchmarks (added by later scripts) are kept below this one.
  const rest = previous.split(/\n(?=## )/).filter((section) => section.startsWith('## ') && !section.startsWith('## API health endpoints'))
  writeFileSync(file, [report.trimEnd(), ...rest.map((section) => section.trimEnd())].join('\n\n') + '\n')
  console.log(report)
  if (liveRatio < target) process.exitCode = 1
} finally {
  for (const child of children) await stop(child).catch(() => {})
  rmSync(dataDir, { recursive: true, force: true })
  clearInterval(keepAlive)
}

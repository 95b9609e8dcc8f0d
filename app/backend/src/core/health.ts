/**
 * Readiness checks. The database check is built in; later features plug in their own (LiveKit, the AI
 * provider) with `health.register`. A required check that fails makes the service not ready (503);
 * an optional one only marks it degraded.
 */

export interface HealthCheck {
  name: string
  /** A failing required dependency makes /health/ready answer 503. */
  required: boolean
  /** Resolves with optional details when healthy; throws (or rejects) when not. */
  check(): Promise<Record<string, unknown> | void>
  timeoutMs?: number
}

export interface DependencyStatus {
  status: 'up' | 'down'
  required: boolean
  latencyMs: number
  details?: Record<string, unknown>
  error?: string
}

export interface ReadinessReport {
  status: 'ok' | 'degraded' | 'fail'
  checks: Record<string, DependencyStatus>
}

const DEFAULT_TIMEOUT_MS = 3_000

export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>()

  register(check: HealthCheck): void {
    if (this.#checks.has(check.name)) throw new Error(`Health check "${check.name}" is registered twice`)
    this.#checks.set(check.name, check)
  }

  get names(): string[] {
    return [...this.#checks.keys()]
  }

  async run(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.#checks.values()].map(async (check) => [check.name, await runCheck(check)] as const))
    const checks = Object.fromEntries(entries)
    const down = entries.filter(([, result]) => result.status === 'down')
    const status = down.some(([, result]) => result.required) ? 'fail' : down.length > 0 ? 'degraded' : 'ok'
    return { status, checks }
  }
}

async function runCheck(check: HealthCheck): Promise<DependencyStatus> {
  const started = performance.now()
  const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let timer: NodeJS.Timeout | undefined
  try {
    const details = await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return {
      status: 'up',
      required: check.required,
      latencyMs: elapsed(started),
      ...(details ? { details } : {}),
    }
  } catch (error) {
    return {
      status: 'down',
      required: check.required,
      latencyMs: elapsed(started),
      error: error instanceof Error ? error.message : String(error),
    }
  } finally {
    clearTimeout(timer)
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100
}

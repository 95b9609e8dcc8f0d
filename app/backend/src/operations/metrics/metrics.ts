import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The process's Prometheus metrics. One registry per app (tests build several apps in one process),
 * with Node's default process metrics and the product's own.
 */
export class Metrics {
  readonly registry = new Registry()
  /** End of the learner's speech → first audio of the reply, per voice reply (issue 7). */
  readonly voiceReplyLatency = new Histogram({
    name: 'avaaz_voice_reply_latency_seconds',
    help: "End of the learner's speech to the first audio frame of the reply",
    labelNames: ['transport'] as const,
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    registers: [this.registry],
  })
  readonly voiceConnections = new Counter({
    name: 'avaaz_voice_connections_total',
    help: 'Voice connections opened',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  })

  constructor() {
    collectDefaultMetrics({ register: this.registry })
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
  }
}

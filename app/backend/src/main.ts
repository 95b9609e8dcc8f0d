import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyInstance, type FastifySchema, type HTTPMethods } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { DestinationStream } from 'pino'
import { apiV1Router } from './api/v1/router.js'
import type { Config } from './core/config.js'
import { openDatabase, type Database, type Db } from './core/db/client.js'
import { registerEmbeddedMaintenance } from './core/db/maintenance.js'
import { applyMigrations } from './core/db/migrate.js'
import { NotFound, TooManyRequests } from './core/errors.js'
import { HealthRegistry } from './core/health.js'
import { docsPrefix, registerOpenApi } from './core/http/openapi.js'
import { registerProblemHandlers } from './core/http/problem.js'
import { requestIdFrom } from './core/http/request-id.js'
import { serializerCompiler } from './core/http/serializer.js'
import { computeSecurityHeaders } from './core/http/security-headers.js'
import { JobQueue } from './core/jobs.js'
import { createAuth, type Auth } from './core/auth/auth.js'
import { authRoutes } from './core/auth/routes.js'
import { createMailTransport, sendMailJob, type MailMessage, type MailTransport } from './core/mail/mailer.js'
import { loggerOptions } from './core/logger.js'
import { lazyChildLoggerFactory } from './core/request-logger.js'
import { databaseHealthCheck, healthRoutes } from './operations/health/routes.js'
import { readPartnerBank, readPictureCatalog, type PictureCatalog } from './features/curriculum/content-pack.js'
import { syncContentPack } from './features/curriculum/loader.js'
import type { AiModels } from './core/ai/provider.js'
import type { ExamRuntime } from './features/exams/service.js'
import { rescueScoring, rescueScoringJob, scoreExamAttemptJob } from './features/scoring/exam-scoring.js'
import { TicketStore } from './features/voice/tickets.js'
import { Metrics } from './operations/metrics/metrics.js'
import { metricsRoutes } from './operations/metrics/routes.js'
import { defaultPipelineFactory, type PipelineFactory, type VoiceRuntime } from './features/voice/transport.js'
import { registerSessionJobs, scheduleSessionJobs } from './features/sessions/jobs.js'
import { createTutorRuntime } from './features/sessions/runtime.js'
import { defaultWebDir, hasWebBuild, registerWebApp } from './web/next-app.js'

export interface RouteRecord {
  method: HTTPMethods | HTTPMethods[]
  url: string
  schema: (FastifySchema & { hide?: boolean }) | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    database: Database
    db: Db
    jobs: JobQueue
    health: HealthRegistry
    auth: Auth
    /** The content pack's pictures (served by the curriculum API). */
    pictures: PictureCatalog
    /** Queues a mail (sent by a retrying job). */
    sendMail(message: MailMessage): Promise<void>
    /** Every route as registered, with its schema (the OpenAPI completeness test reads it). */
    routeCatalog: readonly RouteRecord[]
  }
}

export interface BuildAppOptions {
  config: Config
  /** An already open database (tests); by default the configured one is opened and owned by the app. */
  database?: Database
  /** Where JSON logs go (tests capture them); stdout by default. */
  logStream?: DestinationStream
  /** Replaces the configured mail transport (tests simulate a failing mail server). */
  mailTransport?: MailTransport
  /** Replaces the configured language models (tests use the AI SDK's mock models). */
  aiModels?: AiModels
  /** Registered after the core and before routes: lets tests and tools add jobs, checks or routes. */
  extend?: (app: FastifyInstance) => unknown
  /** Replaces the voice pipeline (tests of the transport alone). */
  voicePipeline?: PipelineFactory
}

export type App = FastifyInstance

/**
 * Builds the backend: database (migrated), jobs, middleware, OpenAPI, health and the /api/v1 routes.
 * The caller owns `listen` and `close`; closing stops the jobs and closes the database.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options

  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    genReqId: requestIdFrom,
    childLoggerFactory: lazyChildLoggerFactory,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    // A client must send its whole request within 30 s: slow-loris connections are cut.
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  const routeCatalog: RouteRecord[] = []
  app.addHook('onRoute', (route) => {
    routeCatalog.push({ method: route.method, url: route.url, schema: route.schema as RouteRecord['schema'] })
  })
  app.decorate('routeCatalog', routeCatalog)
  app.decorate('config', config)

  let database = options.database
  const ownsDatabase = !database
  let jobs: JobQueue | undefined
  let pictures: PictureCatalog
  try {
    database ??= await openDatabase(config.database)
    await applyMigrations(database)
    // A changed pack is validated, then loaded in one transaction; a broken one stops the start cleanly.
    const content = await syncContentPack(database.db, config.contentDir)
    if ('objectives' in content) {
      app.log.info({ objectives: content.objectives, lessons: content.lessons, examTemplates: content.examTemplates }, 'content pack loaded')
    }
    pictures = readPictureCatalog(config.contentDir)
    jobs = new JobQueue({
      database,
      log: app.log.child({ component: 'jobs' }),
      workersEnabled: config.jobs.enabled,
      pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
    })
    await jobs.start()
  } catch (error) {
    // Release what was opened (and the data directory lock) so the caller can report and exit.
    await jobs?.stop().catch(() => {})
    if (ownsDatabase) await database?.close().catch(() => {})
    throw error
  }
  const db = database
  const queue = jobs
  try {
    app.decorate<Database>('database', db)
    app.decorate('db', db.db)
    app.decorate('jobs', queue)
    app.decorate('pictures', pictures)
    // Jobs stop before the database closes; the database closes last.
    app.addHook('onClose', async () => {
      await queue.stop()
      if (ownsDatabase) await db.close()
    })

    const mailJob = sendMailJob(options.mailTransport ?? createMailTransport(config.mail))
    queue.register(mailJob)
    const sendMail = async (message: MailMessage) => {
      await queue.enqueue(mailJob, message)
    }
    app.decorate('sendMail', sendMail)
    app.decorate('auth', createAuth({ config, db: db.db, log: app.log.child({ component: 'auth' }), sendMail }))
    app.decorateRequest('principal', null)

    const health = new HealthRegistry()
    health.register(databaseHealthCheck(db))
    app.decorate('health', health)

    const tutor = createTutorRuntime(config, pictures, options.aiModels)
    app.decorate('tutor', tutor)
    health.register(tutor.ai.healthCheck)
    registerSessionJobs(app)
    app.decorate('exams', { now: () => new Date(), partners: readPartnerBank(config.contentDir) } satisfies ExamRuntime)
    queue.register(scoreExamAttemptJob(app))
    queue.register(rescueScoringJob(app))
    app.decorate('metrics', new Metrics())
    app.decorate('voice', { tickets: new TicketStore(), connections: new Set(), createPipeline: options.voicePipeline ?? defaultPipelineFactory } satisfies VoiceRuntime)
    // Open voice connections end with the server (clients reconnect to the next one).
    app.addHook('preClose', async () => {
      for (const socket of app.voice.connections) socket.close(1001, 'server shutting down')
    })
    const maintenance = config.database.kind === 'pglite' ? registerEmbeddedMaintenance(queue, db) : null

    const securityHeaders = computeSecurityHeaders({ production: config.isProduction })
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(securityHeaders.api)
      reply.header('x-request-id', request.id)
      done()
    })

    registerProblemHandlers(app, { exposeStack: config.isDevelopment })

    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequests(`Too many requests; try again in ${Math.ceil(context.ttl / 1000)} seconds.`, {
          extensions: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        }),
    })

    // Voice connections (docs/voice-protocol.md): frames are small; a bigger message is a broken client.
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } })

    // Unknown URLs are rate limited too, so nobody can cheaply probe for valid routes.
    app.setNotFoundHandler({ preHandler: app.rateLimit() }, async (request) => {
      throw new NotFound(`No route ${request.method} ${request.url.split('?')[0]}.`)
    })

    await registerOpenApi(app, { publicUrl: config.publicUrl, production: config.isProduction, htmlHeaders: securityHeaders.html })
    const webDir = config.web.dir ?? defaultWebDir
    const serveWeb = config.web.mode === 'true' || (config.web.mode === 'auto' && hasWebBuild(webDir))
    if (config.web.mode === 'true' && !hasWebBuild(webDir)) {
      throw new Error(`WEB_ENABLED=true but there is no web app build in ${webDir}; run \`npm run build -w app/frontend\` first.`)
    }
    // Without the web app (API-only deployments, tests), the API documentation is the front page.
    if (!serveWeb) app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(docsPrefix))

    await options.extend?.(app)

    await app.register(healthRoutes)
    await app.register(metricsRoutes)
    // CORS applies to the API that browsers call; health probes and docs are not cross-origin APIs and
    // skip its per-request work.
    await app.register(async (api) => {
      await api.register(cors, {
        origin: config.corsOrigins,
        credentials: true,
        exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
        maxAge: 600,
      })
      await api.register(authRoutes, { auth: app.auth, config })
      await api.register(apiV1Router, { prefix: '/api/v1' })
    })
    if (serveWeb) await registerWebApp(app, { dir: webDir, production: config.isProduction })

    app.addHook('onReady', async () => {
      await queue.startWorkers()
      await scheduleSessionJobs(app)
      await app.jobs.schedule(rescueScoring, '*/10 * * * *', {})
      await maintenance?.schedule()
    })

    return app
  } catch (error) {
    // Nobody can close an app that failed to build: stop the jobs and release the database here.
    await queue.stop().catch(() => {})
    if (ownsDatabase) await db.close().catch(() => {})
    throw error
  }
}

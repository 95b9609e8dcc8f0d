import Fastify from 'fastify'

/** The baseline: a bare Fastify hello-world, no plugins, no logging, the same JSON body as /health/live. */
const app = Fastify({ logger: false })
app.get('/', async () => ({ status: 'ok' }))
const address = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`listening ${address}\n`)
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))

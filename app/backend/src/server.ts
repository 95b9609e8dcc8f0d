import { ConfigError, loadConfig } from './core/config.js'
import { DatabaseUnreachableError } from './core/db/client.js'
import { DataDirLockedError } from './core/db/data-dir-lock.js'
import { ContentPackError } from './features/curriculum/content-pack.js'
import { pinTickObjectShape } from './core/runtime/pin-tick-shape.js'
import { buildApp } from './main.js'

// Before the app starts, whose start-up would otherwise leave every nextTick on a slow path.
pinTickObjectShape()

/** Starts the backend: `npm start` (embedded PGlite by default) or `node dist/server.js` in production. */
async function main(): Promise<void> {
  const config = loadConfig()
  const app = await buildApp({ config })

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('shutdown took too long; exiting')
      process.exit(1)
    }, 15_000)
    timer.unref()
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))

  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app.close().catch(() => {})
    throw error
  }

  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`)
  app.log.info({ url, database: config.database.kind }, 'Avaaz backend ready')
  if (!config.isProduction) {
    process.stderr.write(`\n  Avaaz is running at ${url}  (API docs: ${url}/api/v1/docs)\n\n`)
  }
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DataDirLockedError ||
    error instanceof DatabaseUnreachableError ||
    error instanceof ContentPackError
  ) {
    console.error(`\nAvaaz could not start. ${error.message}\n`)
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`\nAvaaz could not start: the port is already in use (${(error as Error).message}). Set PORT to another port.\n`)
  } else {
    console.error('\nAvaaz could not start:', error)
  }
  process.exit(1)
})

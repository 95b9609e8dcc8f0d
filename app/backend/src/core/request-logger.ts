import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, LogFn, Logger } from 'pino'

/**
 * A request's logger that creates its pino child (bound to the request id) only when the request
 * first writes a line at an enabled level, or when something asks for the child itself.
 *
 * Fastify creates a child logger for every request. With our redaction paths that costs about 3 µs
 * per request (pino runs every binding through the redaction, and a route-level level such as the
 * probes' `warn` rebuilds the child's log methods), several per cent of a health probe's whole
 * cost, and a probe that succeeds never writes a line. The lines that are written are exactly
 * those an eager child would write: the child is made from the same parent, bindings and options.
 */
class LazyRequestLogger {
  readonly #parent: Logger
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions
  /** The numeric level below which nothing is written (pino's levels; silent is Infinity). */
  #threshold: number
  #child: Logger | undefined

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
    // An eager child would take its level from the options, else from the parent at this moment.
    this.#threshold = options.level === undefined ? parent.levelVal : parent.levels.values[options.level]!
  }

  #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level
  }

  set level(level: LevelWithSilentOrString) {
    const child = this.#logger()
    child.level = level
    this.#threshold = child.levelVal
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    return this.#parent.levels.values[level]! >= this.#threshold
  }

  #write(level: Level, args: Parameters<LogFn>): void {
    if (this.#parent.levels.values[level]! >= this.#threshold) this.#logger()[level](...args)
  }

  fatal(...args: Parameters<LogFn>): void {
    this.#write('fatal', args)
  }

  error(...args: Parameters<LogFn>): void {
    this.#write('error', args)
  }

  warn(...args: Parameters<LogFn>): void {
    this.#write('warn', args)
  }

  info(...args: Parameters<LogFn>): void {
    this.#write('info', args)
  }

  debug(...args: Parameters<LogFn>): void {
    this.#write('debug', args)
  }

  trace(...args: Parameters<LogFn>): void {
    this.#write('trace', args)
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options)
  }
}

/** Fastify's `childLoggerFactory`: request loggers are created lazily (see LazyRequestLogger). */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new LazyRequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger

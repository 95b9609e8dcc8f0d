import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { NotFound } from '../core/errors.js'

/**
 * The web app (Next.js, `app/frontend`) served by the backend, so the product has one origin: pages,
 * `/api/*`, auth cookies and WebSockets share a host and need no CORS or proxy. API and health routes
 * are Fastify's; every other GET goes to Next's request handler.
 */

/** The part of Next's programmatic server this module uses. */
interface NextServer {
  prepare(): Promise<void>
  getRequestHandler(): (request: IncomingMessage, response: ServerResponse) => Promise<void>
  close(): Promise<void>
}

/** `app/frontend`, from both `src/web` and `dist/web`. */
export const defaultWebDir = fileURLToPath(new URL('../../../frontend', import.meta.url))

/** A complete production build exists: `scripts/ensure-build.mjs` marks one after `next build` succeeds. */
export function hasWebBuild(dir: string): boolean {
  return existsSync(path.join(dir, '.next', 'AVAAZ_BUILD_COMPLETE'))
}

/**
 * The pages' Content Security Policy. Scripts run only with this response's nonce (Next puts it on
 * its own scripts when it finds it in the request's CSP header), and `strict-dynamic` lets those load
 * the chunks they need; everything else comes from this origin.
 */
export function pageSecurityHeaders(nonce: string, production: boolean): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // Next and React inject style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), geolocation=(), microphone=(self)',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  }
}

export async function registerWebApp(app: FastifyInstance, options: { dir: string; production: boolean }): Promise<void> {
  // Loaded only when the web app is served: tests and API-only deployments never pay for Next. The
  // specifier is a variable so the backend's type-check does not take in Next's global typings.
  const specifier = 'next'
  const { default: next } = (await import(specifier)) as { default: (options: Record<string, unknown>) => NextServer }
  const web = next({ dev: false, dir: options.dir, quiet: true, customServer: true })
  await web.prepare()
  const handle = web.getRequestHandler()

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    // Pages and their assets are not the API: a page load fetches dozens of files.
    config: { rateLimit: false },
    schema: { hide: true },
    handler: async (request, reply) => {
      if (request.url.startsWith('/api/') || request.url.startsWith('/health/')) {
        throw new NotFound(`No route ${request.method} ${request.url.split('?')[0]}.`)
      }
      const nonce = randomBytes(16).toString('base64')
      const headers = pageSecurityHeaders(nonce, options.production)
      // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
      request.raw.headers['content-security-policy'] = headers['content-security-policy']
      reply.hijack()
      for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value)
      reply.raw.setHeader('x-request-id', request.id)
      await handle(request.raw, reply.raw)
    },
  })
  app.addHook('onClose', async () => {
    await web.close()
  })
}

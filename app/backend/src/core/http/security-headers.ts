import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * Security headers, computed once at start (none of ours vary per request: no CSP nonces).
 *
 * - API responses (JSON) get the OWASP REST Security set: nothing may be loaded or framed from them,
 *   and personal data is never cached.
 * - HTML pages (the API docs; later the web app's own server sets its own) get helmet's full set.
 *
 * Helmet itself rebuilds its headers, CSP parsing included, on every request; with a dozen long
 * headers that cost cheap endpoints half their throughput for no difference in the result.
 */
export interface SecurityHeaderSets {
  api: Record<string, string>
  html: Record<string, string>
}

export function computeSecurityHeaders(options: { production: boolean }): SecurityHeaderSets {
  const hsts = 'max-age=31536000; includeSubDomains'
  const api: Record<string, string> = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(options.production ? { 'strict-transport-security': hsts } : {}),
  }
  return { api, html: helmetHeaders(options.production) }
}

function helmetHeaders(production: boolean): Record<string, string> {
  const helmetOptions: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: true,
      // Over plain http on a laptop, "upgrade-insecure-requests" would send subresources to https.
      directives: production ? {} : { upgradeInsecureRequests: null },
    },
    // HSTS only where the product is served over https (production, behind Caddy).
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  }
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  helmet(helmetOptions)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error
  })
  if (failure) throw failure
  return headers
}

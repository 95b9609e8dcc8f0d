import type { NextConfig } from 'next'
import createNextIntlPlugin from 'next-intl/plugin'

/**
 * The web app is served by the backend on one origin (pages, /api, auth cookies, WebSockets), so it
 * needs no rewrites or CORS. `next dev` on :3000 talks to the backend on :8000 through the rewrite
 * below, for frontend work with hot reload.
 */
const config: NextConfig = {
  reactStrictMode: true,
  // Lets a check build go elsewhere than the build the backend serves.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  poweredByHeader: false,
  async headers() {
    // The service worker is checked on every visit (its registration bypasses the HTTP cache too), so a
    // fix to it reaches learners at once. Its scope is where it lives, the root: no Service-Worker-Allowed.
    return [{ source: '/sw.js', headers: [{ key: 'cache-control', value: 'no-cache, max-age=0' }] }]
  },
  async rewrites() {
    if (process.env.NODE_ENV !== 'development') return []
    const backend = process.env.AVAAZ_BACKEND_URL ?? 'http://127.0.0.1:8000'
    return [
      { source: '/api/:path*', destination: `${backend}/api/:path*` },
      { source: '/health/:path*', destination: `${backend}/health/:path*` },
    ]
  },
}

const withNextIntl = createNextIntlPlugin('./src/i18n/request.ts')

export default withNextIntl(config)

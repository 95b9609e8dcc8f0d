/*
 * Avaaz's service worker: when a page cannot be fetched, the offline page instead of the browser's
 * error. Nothing else is kept: every page is personal and rendered per request, and the API, health
 * checks and sign-in always go to the network. Hand-written rather than generated (why:
 * docs/decisions/009-pwa.md); registered by src/components/pwa/service-worker-registration.tsx.
 *
 * - install: the offline page in each UI language (fetched without cookies, the language asked for
 *   with Accept-Language), and the /_next/static files it names, into one cache.
 * - navigations: network first (with navigation preload); on a network error, the offline page in the
 *   learner's language and theme. An HTTP error is the server's answer and is shown as it is.
 * - /_next/static: content-hashed, so a cached copy is served as it is; otherwise the network.
 * - everything else (the API, /health, auth, the manifest, icons): not handled, the browser's own.
 * - once a day, after a page loaded, the offline copy is fetched again (a new release's wording).
 */
/* global self, caches */

const CACHE_PREFIX = 'avaaz-offline-'
const OFFLINE_PATH = '/offline'
const LOCALES = ['en', 'nb']
const THEMES = ['light', 'dark', 'system']
const REFRESH_AFTER_MS = 24 * 60 * 60 * 1000
/** Never answered from a cache, not even the offline page: the API (auth included) and health checks. */
const NETWORK_ONLY = ['/api/', '/health/']
/** A file of the build that the offline page loads; directories and the like are left out. */
const STATIC_FILE = /\/_next\/static\/[\w\-./~%]+\.(?:js|css|woff2?|ttf|png|svg|ico|webp|avif|json)/g
/** The same origin's credentials never go into what is cached. */
const ANONYMOUS = { credentials: 'omit', cache: 'no-store', redirect: 'error' }

const offlineKey = (locale) => `${OFFLINE_PATH}?locale=${locale}`

/** Fills a new cache with the offline page in every language and its files, then drops older ones. */
async function cacheOfflinePage() {
  const name = `${CACHE_PREFIX}${Date.now()}`
  const cache = await caches.open(name)
  try {
    const files = new Set()
    for (const locale of LOCALES) {
      const response = await fetch(OFFLINE_PATH, { ...ANONYMOUS, headers: { 'accept-language': locale } })
      if (!response.ok) throw new Error(`${OFFLINE_PATH} answered ${response.status}`)
      const html = await response.clone().text()
      for (const [file] of html.matchAll(STATIC_FILE)) files.add(file)
      await cache.put(offlineKey(locale), response)
    }
    await Promise.all(
      [...files].map(async (file) => {
        const response = await fetch(file, ANONYMOUS)
        if (!response.ok) throw new Error(`${file} answered ${response.status}`)
        await cache.put(file, response)
      }),
    )
  } catch (error) {
    await caches.delete(name)
    throw error
  }
  for (const key of await caches.keys()) {
    if (key.startsWith(CACHE_PREFIX) && key !== name) await caches.delete(key)
  }
}

async function refreshIfOld() {
  const cached = await caches.match(offlineKey(LOCALES[0]), { ignoreVary: true })
  const age = cached ? Date.now() - Date.parse(cached.headers.get('date') ?? '') : Number.POSITIVE_INFINITY
  // A failed refresh keeps the copy there is.
  if (!(age < REFRESH_AFTER_MS)) await cacheOfflinePage().catch(() => undefined)
}

async function cookie(name) {
  try {
    return (await self.cookieStore?.get(name))?.value
  } catch {
    return undefined
  }
}

/** The UI language as the server would choose it: the learner's cookie, else the browser's languages. */
async function preferredLocale() {
  const chosen = await cookie('avaaz-locale')
  if (LOCALES.includes(chosen)) return chosen
  for (const tag of self.navigator.languages ?? []) {
    const language = tag.toLowerCase().split('-')[0]
    if (language === 'nb' || language === 'no' || language === 'nn') return 'nb'
    if (language === 'en') return 'en'
  }
  return 'en'
}

async function offlinePage() {
  const cached = (await caches.match(offlineKey(await preferredLocale()), { ignoreVary: true })) ?? (await caches.match(offlineKey(LOCALES[0]), { ignoreVary: true }))
  if (!cached) return Response.error()
  // The copy was rendered without cookies, so in the device's theme; the learner may have chosen one.
  const theme = await cookie('avaaz-theme')
  if (!THEMES.includes(theme) || theme === 'system') return cached
  const html = (await cached.text()).replace(/(<html\b[^>]*\bdata-theme=")system(")/, `$1${theme}$2`)
  const headers = new Headers(cached.headers)
  headers.delete('content-length')
  return new Response(html, { status: cached.status, statusText: cached.statusText, headers })
}

async function navigate(event) {
  try {
    const response = (await event.preloadResponse) ?? (await fetch(event.request))
    event.waitUntil(refreshIfOld())
    return response
  } catch {
    return offlinePage()
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheOfflinePage().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await self.registration.navigationPreload?.enable()
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event))
  } else if (url.pathname.startsWith('/_next/static/')) {
    event.respondWith(caches.match(url.pathname, { ignoreVary: true }).then((cached) => cached ?? fetch(request)))
  }
})

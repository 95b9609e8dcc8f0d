// @vitest-environment node
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'

/**
 * public/sw.js run in a stand-in for the browser's service worker scope: an in-memory Cache Storage,
 * a `fetch` that answers like the app (or fails like a lost network), and events dispatched by hand.
 */

const source = readFileSync(fileURLToPath(new URL('../../../public/sw.js', import.meta.url)), 'utf8')
const origin = 'https://avaaz.test'

const offlineHtml = (locale: string) =>
  `<!DOCTYPE html><html lang="${locale}" data-theme="system"><head><link rel="stylesheet" href="/_next/static/chunks/app.css" nonce="n1"/><script src="/_next/static/chunks/main.js" nonce="n1"></script></head><body><h1>${locale === 'nb' ? 'Du er frakoblet' : 'You are offline'}</h1><script nonce="n1">self.__next_f.push([1,"\\"/_next/static/chunks/page.js\\" /_next/static/chunks/"])</script></body></html>`

interface SeenFetch {
  url: string
  credentials: string | undefined
  acceptLanguage: string | null
}

interface FakeRequest {
  url: string
  method: string
  mode: string
}

function worker({ online = true, cookies = {} as Record<string, string>, languages = ['en-GB'], page = (path: string): Response | null => (path === '/offline' ? null : new Response(`<h1>${path}</h1>`, { headers: { 'content-type': 'text/html' } })) } = {}) {
  const storage = new Map<string, Map<string, Response>>()
  const seen: SeenFetch[] = []
  const state = { online }
  const listeners = new Map<string, (event: unknown) => void>()
  const key = (request: string | FakeRequest) => new URL(typeof request === 'string' ? request : request.url, origin).href

  const caches = {
    async open(name: string) {
      if (!storage.has(name)) storage.set(name, new Map())
      const entries = storage.get(name)!
      return {
        async put(request: string, response: Response) {
          entries.set(key(request), response)
        },
      }
    },
    async match(request: string) {
      for (const entries of storage.values()) {
        const hit = entries.get(key(request))
        if (hit) return hit.clone()
      }
      return undefined
    },
    async keys() {
      return [...storage.keys()]
    },
    async delete(name: string) {
      return storage.delete(name)
    },
  }

  async function fetch(input: string | FakeRequest, init: RequestInit = {}) {
    const url = new URL(typeof input === 'string' ? input : input.url, origin)
    seen.push({ url: url.pathname, credentials: init.credentials, acceptLanguage: new Headers(init.headers).get('accept-language') })
    if (!state.online) throw new TypeError('Failed to fetch')
    if (url.pathname === '/offline') {
      const locale = new Headers(init.headers).get('accept-language') ?? 'en'
      return new Response(offlineHtml(locale), { headers: { 'content-type': 'text/html', 'content-security-policy': "script-src 'nonce-n1'", date: new Date().toUTCString() } })
    }
    if (url.pathname.startsWith('/_next/static/')) return new Response(`/* ${url.pathname} */`)
    return page(url.pathname) ?? new Response('not found', { status: 404 })
  }

  const self = {
    location: { origin },
    navigator: { languages },
    cookieStore: { get: async (name: string) => (name in cookies ? { name, value: cookies[name] } : null) },
    registration: { navigationPreload: { enable: async () => undefined } },
    clients: { claim: async () => undefined },
    skipWaiting: async () => undefined,
    addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, listener),
  }
  vm.runInNewContext(source, { self, caches, fetch, Response, Headers, URL, Date, Number })

  async function dispatch(type: string, extra: object = {}) {
    const pending: Array<Promise<unknown>> = []
    let response: Promise<Response> | undefined
    const event = { ...extra, waitUntil: (promise: Promise<unknown>) => pending.push(promise), respondWith: (promise: Promise<Response>) => (response = promise) }
    listeners.get(type)!(event)
    const answer = response ? await response : undefined
    await Promise.all(pending)
    return answer
  }

  return {
    storage,
    seen,
    setOnline: (value: boolean) => (state.online = value),
    install: () => dispatch('install'),
    request: (path: string, { mode = 'no-cors', method = 'GET', preloadResponse = Promise.resolve(undefined) as Promise<Response | undefined> } = {}) =>
      dispatch('fetch', { request: { url: new URL(path, origin).href, method, mode }, preloadResponse }),
    cachedUrls: () => [...storage.values()].flatMap((entries) => [...entries.keys()].map((url) => url.replace(origin, ''))).sort(),
  }
}

describe('the service worker', () => {
  it('installs the offline page in both languages, fetched without credentials, and the build files it names', async () => {
    const sw = worker()
    await sw.install()
    expect(sw.cachedUrls()).toEqual(['/_next/static/chunks/app.css', '/_next/static/chunks/main.js', '/_next/static/chunks/page.js', '/offline?locale=en', '/offline?locale=nb'])
    expect(sw.seen.every((request) => request.credentials === 'omit')).toBe(true)
    expect(sw.seen.filter((request) => request.url === '/offline').map((request) => request.acceptLanguage)).toEqual(['en', 'nb'])
  })

  it('does not install half a cache when the offline page cannot be fetched', async () => {
    const sw = worker({ online: false })
    await expect(sw.install()).rejects.toThrow()
    expect(sw.storage.size).toBe(0)
  })

  it('passes pages through from the network and keeps none of them', async () => {
    const sw = worker()
    await sw.install()
    const response = await sw.request('/home', { mode: 'navigate' })
    expect(await response?.text()).toBe('<h1>/home</h1>')
    expect(sw.cachedUrls()).not.toContain('/home')
  })

  it('uses the navigation preload when the browser made one', async () => {
    const sw = worker()
    await sw.install()
    const before = sw.seen.length
    const response = await sw.request('/lessons', { mode: 'navigate', preloadResponse: Promise.resolve(new Response('preloaded')) })
    expect(await response?.text()).toBe('preloaded')
    expect(sw.seen.slice(before).map((request) => request.url)).not.toContain('/lessons')
  })

  it('shows the server’s own error page rather than the offline page when the server answers', async () => {
    const sw = worker({ page: () => new Response('server error', { status: 500 }) })
    await sw.install()
    const response = await sw.request('/home', { mode: 'navigate' })
    expect(response?.status).toBe(500)
  })

  it('shows the offline page, with its own CSP, when a page cannot be fetched', async () => {
    const sw = worker()
    await sw.install()
    sw.setOnline(false)
    const response = await sw.request('/talk', { mode: 'navigate' })
    const html = await response!.text()
    expect(html).toContain('You are offline')
    expect(html).toContain('data-theme="system"')
    expect(response!.headers.get('content-security-policy')).toBe("script-src 'nonce-n1'")
  })

  it('shows it in the learner’s language and theme (their cookies), else the browser’s language', async () => {
    const chosen = worker({ cookies: { 'avaaz-locale': 'nb', 'avaaz-theme': 'dark' } })
    await chosen.install()
    chosen.setOnline(false)
    const html = await (await chosen.request('/home', { mode: 'navigate' }))!.text()
    expect(html).toContain('<html lang="nb" data-theme="dark">')
    expect(html).toContain('Du er frakoblet')

    const browser = worker({ languages: ['nn-NO', 'en'] })
    await browser.install()
    browser.setOnline(false)
    expect(await (await browser.request('/home', { mode: 'navigate' }))!.text()).toContain('<html lang="nb" data-theme="system">')
  })

  it('serves the offline page’s build files from the cache, and others from the network', async () => {
    const sw = worker()
    await sw.install()
    sw.setOnline(false)
    expect(await (await sw.request('/_next/static/chunks/main.js'))!.text()).toBe('/* /_next/static/chunks/main.js */')
    await expect(sw.request('/_next/static/chunks/other.js')).rejects.toThrow('Failed to fetch')
  })

  it('never answers the API, health checks, sign-in, other methods or other origins', async () => {
    const sw = worker()
    await sw.install()
    sw.setOnline(false)
    for (const path of ['/api/v1/users/me', '/api/auth/get-session', '/api/auth/verify-email?token=x', '/health/live']) {
      expect(await sw.request(path, { mode: 'navigate' })).toBeUndefined()
      expect(await sw.request(path)).toBeUndefined()
    }
    expect(await sw.request('/home', { mode: 'navigate', method: 'POST' })).toBeUndefined()
    expect(await sw.request('https://cdn.example.org/_next/static/chunks/main.js')).toBeUndefined()
    expect(sw.cachedUrls().some((url) => url.startsWith('/api/') || url.startsWith('/health/'))).toBe(false)
  })
})

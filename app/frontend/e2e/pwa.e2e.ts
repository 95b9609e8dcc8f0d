import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousAccessibilityViolations } from './axe.js'
import { launchBrowser, screenshotDir, startStack, type Stack } from './stack.js'

/**
 * The web app as an installed app: its manifest and icons, the service worker's offline page, and
 * the light / dark theme, in a real browser against the product started as `npm start` starts it.
 */

let stack: Stack
let browser: Browser
beforeAll(async () => {
  ;[stack, browser] = await Promise.all([startStack(), launchBrowser()])
  mkdirSync(screenshotDir, { recursive: true })
}, 240_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

/** Width and height from a PNG's header (the IHDR chunk comes first). */
function pngSize(data: Buffer): string {
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG')
  return `${data.readUInt32BE(16)}x${data.readUInt32BE(20)}`
}

/** Scripts that failed or that the Content Security Policy blocked. */
function collectProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  return problems
}

const hydrated = (page: Page) => page.waitForFunction(() => Object.keys(document.body).some((key) => key.startsWith('__react')))
/** The page's background, light or dark (Tailwind's colours are oklch: read back through a canvas as sRGB). */
async function background(page: Page): Promise<'light' | 'dark'> {
  const [red, green, blue] = await page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d')!
    context.fillStyle = getComputedStyle(document.body).backgroundColor
    context.fillRect(0, 0, 1, 1)
    return [...context.getImageData(0, 0, 1, 1).data]
  })
  return red! + green! + blue! > 384 ? 'light' : 'dark'
}

describe('the installable web app', () => {
  it('links a valid manifest from every page, and its icons, the favicon and the touch icon load', async () => {
    const page = await browser.newPage()
    await page.goto(stack.url)
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href')
    const response = await page.request.get(new URL(manifestHref!, stack.url).href)
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toMatch(/^application\/manifest\+json/)
    const manifest = (await response.json()) as { icons: Array<{ src: string; sizes: string; type: string; purpose?: string }> } & Record<string, unknown>
    expect(manifest).toMatchObject({ name: 'Avaaz', short_name: 'Avaaz', start_url: '/home', scope: '/', display: 'standalone' })
    expect(manifest.description).toMatch(/Norwegian/)
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i)
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i)
    expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`)).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']))
    for (const icon of manifest.icons) {
      const file = await page.request.get(new URL(icon.src, stack.url).href)
      expect(file.status(), icon.src).toBe(200)
      expect(file.headers()['content-type']).toContain(icon.type)
      if (icon.type === 'image/png') expect(pngSize(await file.body())).toBe(icon.sizes)
    }
    const links = await page.locator('link[rel="icon"], link[rel="apple-touch-icon"]').evaluateAll((elements) => elements.map((element) => element.getAttribute('href')!))
    expect(links).toEqual(expect.arrayContaining(['/favicon.ico', '/icons/apple-touch-icon.png']))
    for (const href of links) expect((await page.request.get(new URL(href, stack.url).href)).status(), href).toBe(200)
    await page.close()
  })

  it('installs a service worker that shows the offline page, hydrated under the page CSP, when the network is gone', async () => {
    const worker = await browser.newPage().then(async (page) => {
      const response = await page.request.get(`${stack.url}/sw.js`)
      await page.close()
      return response
    })
    expect(worker.headers()['content-type']).toMatch(/javascript/)
    expect(worker.headers()['cache-control']).toMatch(/no-cache/)

    const context = await browser.newContext({ locale: 'en-GB', serviceWorkers: 'allow' })
    const page = await context.newPage()
    const problems = collectProblems(page)
    await page.goto(stack.url)
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 })

    await context.setOffline(true)
    await page.goto(`${stack.url}/lessons`)
    await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor()
    // The learner's address stays, so trying again asks for the page they wanted.
    expect(page.url()).toBe(`${stack.url}/lessons`)
    await hydrated(page)
    expect(problems).toEqual([])
    await page.screenshot({ path: path.join(screenshotDir, 'offline-served.png'), fullPage: true })

    // Back online, the page tries again by itself: the real /lessons, which sends a visitor to sign in.
    await context.setOffline(false)
    await page.waitForURL(/\/sign-in\?next=%2Flessons/)
    await context.close()
  })

  it('keeps the dark theme across a reload whatever the device prefers, and follows the device on "System"', async () => {
    const context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light' })
    const page = await context.newPage()
    await page.goto(`${stack.url}/sign-in`)
    await hydrated(page)
    expect(await background(page)).toBe('light')
    await page.getByLabel('Theme').selectOption('dark')
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
    expect(await background(page)).toBe('dark')

    await page.reload()
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
    expect(await background(page)).toBe('dark')
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark')
    expect(await page.locator('meta[name="theme-color"]').evaluateAll((metas) => metas.map((meta) => meta.getAttribute('content')))).toEqual(['#020617'])

    await page.getByLabel('Theme').selectOption('system')
    expect(await background(page)).toBe('light')
    await page.emulateMedia({ colorScheme: 'dark' })
    expect(await background(page)).toBe('dark')
    await context.close()
  })

  it('has no serious accessibility violations on the offline page and on pages in the dark theme', async () => {
    // axe is injected as a script, which the product's CSP rightly refuses.
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', colorScheme: 'light', viewport: { width: 360, height: 800 } })
    const page = await context.newPage()
    const problems: string[] = []
    const check = async (name: string, url: string) => {
      await page.goto(url)
      await page.waitForLoadState('networkidle')
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
      for (const violation of await seriousAccessibilityViolations(page)) problems.push(`${name}: ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
    }
    await check('offline-light', `${stack.url}/offline`)
    await context.addCookies([{ name: 'avaaz-theme', value: 'dark', url: stack.url }])
    await check('offline-dark', `${stack.url}/offline`)
    await check('landing-dark', stack.url)
    await check('register-dark', `${stack.url}/register`)
    expect(problems).toEqual([])
    await context.close()
  })
})

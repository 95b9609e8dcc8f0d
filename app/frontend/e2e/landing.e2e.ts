import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, screenshotDir, startStack, type Stack } from './stack.js'

let stack: Stack
let browser: Browser
beforeAll(async () => {
  ;[stack, browser] = await Promise.all([startStack(), launchBrowser()])
}, 240_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('the web app on one origin', () => {
  it('serves the landing page with its scripts allowed by the page’s nonce-based CSP, and the API beside it', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    // Script errors and anything the Content Security Policy blocked.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    const response = await page.goto(stack.url)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/)
    await expect(page.locator('h1').textContent()).resolves.toMatch(/Norwegian/)
    // Hydration ran: React attached to the document (a blocked script would leave it static).
    await page.waitForFunction(() => Object.keys(document.body).some((key) => key.startsWith('__react')))
    expect(problems).toEqual([])

    const api = await page.request.get(`${stack.url}/api/v1/`)
    expect(await api.json()).toMatchObject({ name: 'Avaaz API' })
    const missing = await page.request.get(`${stack.url}/api/v1/nothing-here`)
    expect(missing.headers()['content-type']).toMatch(/problem\+json/)

    // The language switcher changes the whole page to Norwegian, and the choice sticks.
    await page.getByLabel('Language').selectOption('nb')
    await page.locator('h1', { hasText: 'Snakk norsk' }).waitFor()
    await page.reload()
    await page.locator('h1', { hasText: 'Snakk norsk' }).waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('nb')

    mkdirSync(screenshotDir, { recursive: true })
    for (const [name, width] of [['mobile', 360], ['desktop', 1280]] as const) {
      await page.setViewportSize({ width, height: 800 })
      await page.screenshot({ path: path.join(screenshotDir, `landing-${name}.png`), fullPage: true })
    }
  })
})

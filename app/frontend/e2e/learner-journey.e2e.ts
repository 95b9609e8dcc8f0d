import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousAccessibilityViolations } from './axe.js'
import { launchBrowser, outboxLink, screenshotDir, type Stack, startStack } from './stack.js'

/**
 * The learner's first day, in a real browser against the product started as `npm start` starts it:
 * register → verify through the link in the dev outbox → sign in → onboarding → home → a lesson →
 * Talk with the offline tutor through two steps → end the sitting → its summary → settings: the UI
 * in Norwegian, and an export of my data. Every main page is screenshotted at phone and desktop
 * widths and checked with axe-core (no serious or critical violations), then again in the dark theme.
 */

let stack: Stack
let browser: Browser
let context: BrowserContext
let page: Page
const email = `journey-${Date.now()}@example.org`
const password = 'Fjelltur-i-regnet-2025'
const visited: Array<{ name: string; url: string }> = []

beforeAll(async () => {
  ;[stack, browser] = await Promise.all([startStack(), launchBrowser()])
  // axe is injected as a script, which the product's CSP rightly refuses; the CSP itself is checked in landing.e2e.ts.
  context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
}, 300_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

/** Remembers a main page for the screenshot and accessibility pass at the end. */
function visit(name: string) {
  visited.push({ name, url: page.url() })
}

describe('a learner’s first day', () => {
  it('registers, verifies the address from the outbox and signs in', async () => {
    await page.goto(`${stack.url}/register`)
    visit('register')
    await page.getByLabel('Name', { exact: true }).fill('Amina Haddad')
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Check your email' }).waitFor()

    await page.goto(await outboxLink(page, stack, email))
    await page.getByRole('heading', { name: 'Your email address is confirmed' }).waitFor()

    await page.goto(`${stack.url}/sign-in`)
    visit('sign-in')
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // A new learner is taken to onboarding first.
    await page.waitForURL(/\/onboarding/)
  })

  it('sets a level in onboarding and lands on the dashboard', async () => {
    await page.getByRole('heading', { name: /Welcome, Amina/ }).waitFor()
    visit('onboarding')
    await page.getByRole('button', { name: 'Save and start' }).click()
    await page.waitForURL(/\/home/)
    await page.getByRole('link', { name: /Start talking/ }).first().waitFor()
    visit('home')
  })

  it('opens a lesson and practises two steps with the offline tutor, then ends the sitting and reads its summary', async () => {
    await page.goto(`${stack.url}/lessons/a1-greetings-and-names`)
    await page.getByRole('heading', { name: 'Hei! Hva heter du?' }).waitFor()
    visit('lesson')
    await page.goto(`${stack.url}/lessons`)
    await page.getByRole('heading', { name: 'Lessons', exact: true }).waitFor()
    visit('lessons')

    await page.goto(`${stack.url}/talk?lesson=a1-greetings-and-names`)
    const log = page.getByRole('log')
    await log.getByText('Hei! Jeg heter Kari. Hva heter du?').waitFor()
    const input = page.getByLabel('Your answer, in Norwegian')
    // Step 1, then its follow-up question, then step 2.
    for (const answer of ['Hei! Jeg heter Amina. Hyggelig å hilse på deg!', 'A, M, I, N, A.', 'Jeg kommer fra Syria, men jeg bor i Bergen nå.']) {
      await input.fill(answer)
      await page.getByRole('button', { name: 'Send' }).click()
      await log.getByText(answer).waitFor()
      await page.waitForFunction(() => !(document.querySelector('textarea') as HTMLTextAreaElement | null)?.disabled)
    }
    await log.getByText('Hvor kommer du fra?').first().waitFor()
    const transcript = await log.textContent()
    expect(transcript).toContain('Hvordan staver du det?')
    visit('talk')

    await page.getByRole('button', { name: 'End sitting' }).click()
    await page.getByText('Sitting ended.').waitFor()
    await page.getByRole('link', { name: 'See the summary' }).click()
    await page.waitForURL(/\/history\//)
    // The measured summary is written by a background job; the page refreshes until it is there.
    await page.getByText(/Used \d+ of the lesson's phrases/).waitFor({ timeout: 30_000 })
    visit('sitting')
    await page.goto(`${stack.url}/history`)
    visit('history')
  })

  it('switches the UI to Norwegian in settings and exports my data', async () => {
    await page.goto(`${stack.url}/settings`)
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor()
    visit('settings')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download my data' }).click()
    const file = await download
    const exported = JSON.parse(await readDownload(file)) as Record<string, unknown>
    expect(JSON.stringify(exported)).toContain(email)

    await page.getByLabel('Language', { exact: true }).selectOption('nb')
    await page.getByRole('heading', { name: 'Innstillinger', exact: true }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Innstillinger', exact: true }).waitFor()
    // The choice is stored in the profile too.
    const me = await page.request.get(`${stack.url}/api/v1/users/me`)
    expect(((await me.json()) as { locale: string }).locale).toBe('nb')
  })

  it('has no serious accessibility violations on any main page, at phone and desktop widths (screenshots kept)', async () => {
    expect(visited.map((entry) => entry.name)).toEqual(['register', 'sign-in', 'onboarding', 'home', 'lesson', 'lessons', 'talk', 'sitting', 'history', 'settings'])
    mkdirSync(screenshotDir, { recursive: true })
    const problems: string[] = []
    for (const { name, url } of visited) {
      for (const [size, width] of [['mobile', 360], ['desktop', 1280]] as const) {
        await page.setViewportSize({ width, height: 800 })
        await page.goto(url)
        await page.waitForLoadState('networkidle')
        await page.screenshot({ path: path.join(screenshotDir, `${name}-${size}.png`), fullPage: true })
        for (const violation of await seriousAccessibilityViolations(page)) {
          problems.push(`${name} (${size}): ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('reads as well in the dark theme: no serious accessibility violations on any main page (screenshots kept)', async () => {
    await context.addCookies([{ name: 'avaaz-theme', value: 'dark', url: stack.url }])
    await page.setViewportSize({ width: 1280, height: 800 })
    const problems: string[] = []
    for (const { name, url } of visited) {
      await page.goto(url)
      await page.waitForLoadState('networkidle')
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
      await page.screenshot({ path: path.join(screenshotDir, `${name}-dark.png`), fullPage: true })
      for (const violation of await seriousAccessibilityViolations(page)) {
        problems.push(`${name} (dark): ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
      }
    }
    expect(problems).toEqual([])
  })
})

async function readDownload(download: { path(): Promise<string | null> }): Promise<string> {
  const file = await download.path()
  if (!file) throw new Error('the download was not saved')
  const { readFile } = await import('node:fs/promises')
  return readFile(file, 'utf8')
}

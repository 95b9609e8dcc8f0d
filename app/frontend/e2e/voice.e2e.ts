import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousAccessibilityViolations } from './axe.js'
import { outboxLink, screenshotDir, type Stack, startStack } from './stack.js'

/**
 * Voice on the Talk page, in Chromium with a fake microphone that plays a WAV spoken by espeak-ng
 * (Norwegian, then silence), against the product as `npm start` runs it (offline tutor, espeak
 * speech, no server speech-to-text, and headless Chromium has no usable recognition: the tutor speaks,
 * the learner types): the page's own CSP (no bypass: the microphone worklet must load under it), the
 * WebSocket transport, the level meter moving with the fake microphone, a typed turn sent over the
 * voice connection and answered in voice (counted by the meter's data attributes), both turns in the
 * transcript, and again after a reload.
 */

let stack: Stack
let browser: Browser
let page: Page
let workDir: string
const email = `voice-${Date.now()}@example.org`
const password = 'Fjelltur-i-regnet-2025'
const problems: string[] = []
const turnRequests: string[] = []

/** espeak-ng's Norwegian, then long silence: the meter moves at the start, and the file (looped by Chromium) stays quiet while the tutor speaks. */
function fakeMicrophoneFile(dir: string): string {
  const speech = path.join(dir, 'speech.wav')
  const result = spawnSync('espeak-ng', ['-v', 'nb', '-w', speech, 'Hei, jeg heter Amina. Jeg bor i Bergen.'])
  if (result.status !== 0) throw new Error(`espeak-ng failed: ${result.stderr?.toString() ?? result.error}`)
  return withSilence(speech, path.join(dir, 'microphone.wav'), 60)
}

/** A copy of a 16-bit PCM WAV with `seconds` of silence after it. */
function withSilence(from: string, to: string, seconds: number): string {
  const wav = readFileSync(from)
  let offset = 12
  let format: Buffer | null = null
  let data: Buffer | null = null
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4)
    const size = wav.readUInt32LE(offset + 4)
    const body = wav.subarray(offset + 8, Math.min(wav.length, offset + 8 + size))
    if (id === 'fmt ') format = body
    if (id === 'data') data = body
    offset += 8 + size + (size % 2)
  }
  if (!format || !data) throw new Error(`${from} is not a WAV file espeak-ng would write`)
  const byteRate = format.readUInt32LE(8)
  const samples = Buffer.concat([data, Buffer.alloc(Math.round(byteRate * seconds))])
  const header = Buffer.alloc(12)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(4 + 8 + format.length + 8 + samples.length, 4)
  header.write('WAVE', 8, 'ascii')
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8)
    head.write(id, 0, 'ascii')
    head.writeUInt32LE(body.length, 4)
    return Buffer.concat([head, body])
  }
  writeFileSync(to, Buffer.concat([header, chunk('fmt ', format), chunk('data', samples)]))
  return to
}

/** Debian's Chromium as stack.ts launches it, with a fake microphone and the permission prompt answered. */
async function launchWithMicrophone(wav: string): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate))
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)')
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  })
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'avaaz-voice-e2e-'))
  const wav = fakeMicrophoneFile(workDir)
  ;[stack, browser] = await Promise.all([startStack(), launchWithMicrophone(wav)])
  // No bypassCSP: the microphone worklet and the WebSocket must work under the page's own policy.
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, permissions: ['microphone'] })
  page = await context.newPage()
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/sessions/default/turns') turnRequests.push(request.url())
  })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await stack?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

describe('voice on the Talk page', () => {
  it('signs in a new learner', async () => {
    await page.goto(`${stack.url}/register`)
    await page.getByLabel('Name', { exact: true }).fill('Amina Haddad')
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Check your email' }).waitFor()
    await page.goto(await outboxLink(page, stack, email))
    await page.getByRole('heading', { name: 'Your email address is confirmed' }).waitFor()
    await page.goto(`${stack.url}/sign-in`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/onboarding/)
    await page.getByRole('button', { name: 'Save and start' }).click()
    await page.waitForURL(/\/home/)
  })

  it('connects, the meter follows the microphone, a typed turn is answered aloud, and both turns are there after a reload', async () => {
    await page.goto(`${stack.url}/talk`)
    const log = page.getByRole('log')
    await page.getByRole('button', { name: 'Start voice conversation' }).click()
    const mic = page.getByRole('button', { name: 'Stop voice conversation' })
    expect(await mic.getAttribute('aria-pressed')).toBe('true')
    await page.locator('button[data-voice-status="connected"]').waitFor({ timeout: 30_000 })
    await page.getByRole('status').filter({ hasText: /Listening|Voice on/ }).waitFor()
    // No server speech-to-text in this stack, and none usable in headless Chromium: the page says to type.
    await page.getByText('The tutor speaks, but your speech cannot be recognised here: type your answers.').waitFor()

    // The fake microphone speaks first: the meter moves.
    await page.waitForFunction(() => Number(document.querySelector('[role="meter"]')?.getAttribute('data-peak')) > 0.2, null, { timeout: 15_000 })

    const answer = 'Hei! Jeg heter Amina, og jeg bor i Bergen.'
    await page.getByLabel('Your answer, in Norwegian').fill(answer)
    await page.getByRole('button', { name: 'Send' }).click()
    await log.getByText(answer).waitFor()
    // The reply is complete when the input is back; its voice has begun by then or soon after.
    await page.waitForFunction(() => !(document.querySelector('textarea') as HTMLTextAreaElement | null)?.disabled, null, { timeout: 60_000 })
    await page.waitForFunction(() => Number(document.querySelector('[role="meter"]')?.getAttribute('data-audio-received')) > 5, null, { timeout: 60_000 })
    const bubbles = await log.locator('li').allTextContents()
    expect(bubbles.length).toBeGreaterThanOrEqual(2)
    const reply = bubbles.at(-1)!.replace(/^Tutor: /, '').trim()
    expect(bubbles.at(-2)).toContain(answer)
    expect(reply.length).toBeGreaterThan(0)

    // Sent over the voice connection: the page made no separate turn request.
    expect(turnRequests).toEqual([])
    await page.reload()
    await page.getByText(answer).waitFor()
    await page.getByText(reply.slice(0, 40)).first().waitFor()
    expect(await page.getByRole('button', { name: 'Start voice conversation' }).getAttribute('aria-pressed')).toBe('false')
    expect(problems).toEqual([])
  })

  it('has no serious accessibility violations with voice on, at phone and desktop widths (screenshots kept)', async () => {
    // axe is injected as a script, which the page's CSP rightly refuses: a second context bypasses it, signed in as the first.
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', permissions: ['microphone'], storageState: await page.context().storageState() })
    const checked = await context.newPage()
    mkdirSync(screenshotDir, { recursive: true })
    const found: string[] = []
    for (const [size, width] of [['mobile', 360], ['desktop', 1280]] as const) {
      await checked.setViewportSize({ width, height: 800 })
      await checked.goto(`${stack.url}/talk`)
      await checked.getByRole('button', { name: 'Start voice conversation' }).click()
      await checked.locator('button[data-voice-status="connected"]').waitFor({ timeout: 30_000 })
      await checked.getByRole('meter', { name: 'Microphone level' }).waitFor()
      await checked.screenshot({ path: path.join(screenshotDir, `talk-voice-${size}.png`), fullPage: true })
      for (const violation of await seriousAccessibilityViolations(checked)) found.push(`${size}: ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
    }
    await context.close()
    expect(found).toEqual([])
  })
})

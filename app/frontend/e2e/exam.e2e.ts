import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousAccessibilityViolations } from './axe.js'
import { launchBrowser, outboxLink, screenshotDir, type Stack, startStack } from './stack.js'

/**
 * A mock exam in a real browser against the product as `npm start` starts it: a new learner signs
 * up and onboards, opens Exams from the nav, starts the A1–A2 test and answers every part by typing
 * (I'm ready, answers until the examiner closes the part, or I'm finished), then reads the result.
 * The exam selection, the in-exam screen and the result page are screenshotted at phone and desktop
 * widths and in the dark theme, and checked with axe-core (no serious or critical violations).
 */

let stack: Stack
let browser: Browser
let context: BrowserContext
let page: Page
const email = `exam-${Date.now()}@example.org`
const password = 'Fjelltur-i-regnet-2025'
const problems: string[] = []
const checked: string[] = []

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

/** Screenshots the page as it is at phone and desktop widths, and notes axe's serious and critical findings. */
async function check(name: string) {
  mkdirSync(screenshotDir, { recursive: true })
  for (const [size, width] of [['mobile', 360], ['desktop', 1280]] as const) {
    await page.setViewportSize({ width, height: 800 })
    // Let the layout settle at the new width.
    await page.waitForTimeout(150)
    await page.screenshot({ path: path.join(screenshotDir, `exam-${name}-${size}.png`), fullPage: true })
    for (const violation of await seriousAccessibilityViolations(page)) {
      problems.push(`${name} (${size}): ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 })
  // And in the dark theme (a cookie the server renders): the page reloads, the exam carries on.
  await context.addCookies([{ name: 'avaaz-theme', value: 'dark', url: stack.url }])
  await page.reload()
  await page.waitForLoadState('networkidle')
  expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
  await page.screenshot({ path: path.join(screenshotDir, `exam-${name}-dark.png`), fullPage: true })
  for (const violation of await seriousAccessibilityViolations(page)) {
    problems.push(`${name} (dark): ${violation.id} — ${violation.help} (${violation.nodes} elements)`)
  }
  await context.clearCookies({ name: 'avaaz-theme' })
  await page.reload()
  await page.waitForLoadState('networkidle')
  checked.push(name)
}

/** Typed answers in Norwegian, long enough for the examiner to count as talk and for scoring to measure. */
const answers = [
  'Jeg heter Amina, og jeg kommer fra Syria. Nå bor jeg i Bergen sammen med mannen min og to barn.',
  'Til daglig går jeg på norskkurs om formiddagen, og om ettermiddagen jobber jeg i en barnehage fordi jeg liker barn.',
  'Familien min er ganske stor. Jeg har tre søsken, men de bor i Tyskland og i Tyrkia, så vi snakker ofte på telefon.',
  'Jeg har bodd i Norge i to år. Først bodde vi i Oslo, men så flyttet vi til Bergen fordi mannen min fikk jobb her.',
  'På bildet ser jeg en arbeidsplass med mange mennesker. Noen sitter ved pulten og jobber, og en mann bærer en eske.',
  'Det ser ut som et kontor eller et lager. Det er store vinduer, og man kan se byen ute. Jeg tror det er morgen.',
  'Kvinnen med lilla genser står og peker på tavla. Kanskje hun forklarer noe til kollegaene sine om et møte.',
  'Jeg liker en arbeidsplass som dette, fordi folk jobber sammen og hjelper hverandre. Det er viktig for meg.',
  'Jeg liker best å lage mat fra hjemlandet mitt, for eksempel ris med kylling, men jeg har også smakt brunost.',
  'Hjemme er det mest jeg som lager middag, men i helgene lager vi mat sammen, og barna hjelper til med å dekke bordet.',
  'Nei, jeg liker ikke fisk så godt. Men jeg spiser laks noen ganger, fordi legen sier at det er sunt.',
  'Et ord? Ja, det heter kanskje melk. Vi drikker melk til frokost, og barna liker det veldig godt.',
  'I helgene går vi ofte tur i skogen når det er fint vær, og om kvelden ser vi en film eller besøker venner.',
  'Om vinteren er det mørkt og kaldt i Norge, så da liker jeg å være inne, lese bøker og drikke te med naboen min.',
  'Jeg synes det er viktig å lære norsk, fordi da kan jeg få en bedre jobb og snakke med naboene mine.',
  'Når jeg blir bedre i norsk, vil jeg gjerne utdanne meg til barnehagelærer, fordi jeg trives veldig godt med barn.',
]

describe('a mock exam', () => {
  it('signs up, verifies the address, signs in and onboards', async () => {
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

  it('opens Exams from the nav, sees what the A1–A2 test contains and starts it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exams' }).click()
    await page.waitForURL(/\/exams$/)
    const test = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Test A1–A2' }) })
    await test.waitFor()
    expect(await test.textContent()).toContain('Beskrive et bilde')
    await page.getByText('You have not taken a mock exam yet.', { exact: false }).waitFor()
    await check('selection')

    await test.getByRole('button', { name: 'Start test A1–A2' }).click()
    await page.waitForURL(/\/exams\/[0-9a-f-]{36}$/)
    await page.getByRole('heading', { level: 1, name: 'Presentere deg selv' }).waitFor()
    await page.getByText('Part 1 of 4').waitFor()
  })

  it('answers every part by typing until the exam is over, and lands on its result', async () => {
    const input = page.getByLabel('Your answer, in Norwegian')
    let next = 0
    for (let part = 1; part <= 4; part += 1) {
      await page.getByText(`Part ${part} of 4`).waitFor()
      const title = (await page.getByRole('heading', { level: 1 }).textContent()) ?? ''
      await page.getByRole('button', { name: 'I’m ready' }).click()
      await page.getByText('Speaking time left').waitFor()
      await page.getByRole('heading', { name: 'Your task' }).waitFor()
      if (part === 2) await check('in-exam')

      // Answer until the examiner closes the part (the next part's instructions, or the result page); at
      // most four answers, then "I'm finished with this part".
      for (let turn = 0; turn < 4; turn += 1) {
        await input.fill(answers[next++ % answers.length]!)
        await page.getByRole('button', { name: 'Send' }).click()
        await page.waitForFunction(() => !(document.querySelector('textarea') as HTMLTextAreaElement | null)?.disabled || location.pathname.endsWith('/result'))
        if (page.url().endsWith('/result')) break
        // The reply has come: has the part moved on?
        await page.waitForLoadState('networkidle')
        if ((await page.getByRole('heading', { level: 1 }).textContent()) !== title) break
      }
      if (!page.url().endsWith('/result') && (await page.getByRole('heading', { level: 1 }).textContent()) === title) {
        await page.getByRole('button', { name: 'I’m finished with this part' }).click()
      }
      if (part < 4) await page.getByText(`Part ${part + 1} of 4`).waitFor()
    }
    await page.waitForURL(/\/exams\/[0-9a-f-]{36}\/result$/)
    await page.getByRole('heading', { name: 'Result of test A1–A2' }).waitFor()
  })

  it('shows the scoring while it runs, then the result with criteria, evidence and the transcript', async () => {
    // Scoring is a background job: the page says so and asks again until the result is there.
    const heading = page.getByRole('heading', { name: /^(You reached (A1|A2)|Below A1) in the A1–A2 test\.$/ })
    const pending = page.getByText('Your exam is being scored…')
    await Promise.race([heading.waitFor({ timeout: 90_000 }), pending.waitFor({ timeout: 90_000 })])
    await heading.waitFor({ timeout: 90_000 })
    expect(await pending.count()).toBe(0)

    await page.getByRole('heading', { name: 'Criteria' }).waitFor()
    // Typed answers have no timings and no audio: pronunciation is honestly not assessed.
    const pronunciation = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Pronunciation', exact: true }) }).first()
    expect(await pronunciation.getByText('Not assessable').count()).toBeGreaterThan(0)
    expect(await page.getByRole('list', { name: 'Transcript of Presentere deg selv' }).textContent()).toContain(answers[0]!)
    expect(await page.getByRole('link', { name: 'See this sitting in your history' }).getAttribute('href')).toMatch(/^\/history\/[0-9a-f-]{36}$/)
    await check('result')

    // The attempt is in the history on the exams page, with its result.
    await page.goto(`${stack.url}/exams`)
    const history = page.getByRole('region', { name: 'Your mock exams' })
    await history.getByRole('link', { name: /See the result/ }).waitFor()
    expect(await history.textContent()).toMatch(/reached (A1|A2)|below A1/)
  })

  it('has no serious accessibility violations on the exam pages at phone and desktop widths and in the dark theme (screenshots kept)', () => {
    expect(checked).toEqual(['selection', 'in-exam', 'result'])
    expect(problems).toEqual([])
  })
})

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

/**
 * The real product for browser tests, started the way `npm start` starts it (web build if needed,
 * then the backend with the embedded database) in a throwaway data directory, and Debian's Chromium.
 */

const root = fileURLToPath(new URL('../../..', import.meta.url))

export interface Stack {
  url: string
  dataDir: string
  stop(): Promise<void>
}

/** A port free right now: links in mail carry the public URL, so the port must be known (not 0). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startStack(): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avaaz-e2e-'))
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const url = await new Promise<string>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)))
  })
  return {
    url,
    dataDir,
    async stop() {
      await stopProcess(child)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  // npm starts node in the same process group: stop the whole group.
  process.kill(-child.pid!, 'SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
}

const chromiumPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? chromiumPaths.find((candidate) => existsSync(candidate))
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)')
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** Screenshots of main pages go here (CI keeps the folder as an artifact). */
export const screenshotDir = path.join(root, 'artifacts', 'screenshots')

/** The newest link in the development outbox's mail to `to` (verification, password reset), waiting for it to arrive. */
export async function outboxLink(page: Page, stack: Pick<Stack, 'url'>, to: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await page.request.get(`${stack.url}/api/v1/dev/outbox?to=${encodeURIComponent(to)}`)
    const { messages } = (await response.json()) as { messages: Array<{ links: string[] }> }
    const link = messages.at(-1)?.links[0]
    if (link) return link
    await page.waitForTimeout(200)
  }
  throw new Error(`no mail to ${to}`)
}

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp, temporaryDirectory } from '../test/harness.js'
import { hasWebBuild, pageSecurityHeaders } from './next-app.js'

const dirs: Array<{ cleanup(): void }> = []
afterAll(() => dirs.forEach((dir) => dir.cleanup()))

describe('serving the web app', () => {
  it('counts only a build marked complete, not the files a failed build leaves', () => {
    const dir = temporaryDirectory('avaaz-web-')
    dirs.push(dir)
    mkdirSync(path.join(dir.path, '.next'))
    writeFileSync(path.join(dir.path, '.next', 'BUILD_ID'), 'abc')
    expect(hasWebBuild(dir.path)).toBe(false)
    writeFileSync(path.join(dir.path, '.next', 'AVAAZ_BUILD_COMPLETE'), 'now')
    expect(hasWebBuild(dir.path)).toBe(true)
  })

  it('gives pages a nonce-only script policy, no framing, and HSTS in production', () => {
    const headers = pageSecurityHeaders('bm9uY2U=', true)
    expect(headers['content-security-policy']).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'")
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(headers['strict-transport-security']).toBeDefined()
    expect(pageSecurityHeaders('x', false)['strict-transport-security']).toBeUndefined()
  })

  it('refuses to start when the web app is required but not built, saying how to build it', async () => {
    const dir = temporaryDirectory('avaaz-web-')
    dirs.push(dir)
    await expect(createTestApp({ env: { WEB_ENABLED: 'true', WEB_DIR: dir.path } })).rejects.toThrow(/no web app build .*npm run build -w app\/frontend/)
  })
})

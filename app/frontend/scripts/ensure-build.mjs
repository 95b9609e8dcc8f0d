// `npm start` runs this first: it builds the web app when there is no complete build or a source file
// is newer than it, so a fresh checkout starts with one command and a pull is picked up. `--force`
// always builds (`npm run build`). The backend serves the build only when the marker written after a
// successful build exists: a failed build can leave Next's own files half written.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('..', import.meta.url))
// NEXT_DIST_DIR (next.config.ts) sends a check build elsewhere; its marker goes with it.
const marker = path.join(dir, process.env.NEXT_DIST_DIR ?? '.next', 'AVAAZ_BUILD_COMPLETE')

function newestChange(entry) {
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))))
}

const sources = ['src', 'public', 'messages', 'next.config.ts', 'postcss.config.mjs', 'package.json']
  .map((name) => path.join(dir, name))
  .filter((entry) => existsSync(entry))
const force = process.argv.includes('--force')
const stale = force || !existsSync(marker) || Math.max(...sources.map(newestChange)) > statSync(marker).mtimeMs
if (stale) {
  console.log('Building the web app…')
  rmSync(marker, { force: true })
  const result = spawnSync('npx', ['next', 'build'], {
    cwd: dir,
    stdio: 'inherit',
    // A production build whatever NODE_ENV the backend runs with: `next build` fails in development mode.
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
  writeFileSync(marker, `${new Date().toISOString()}\n`)
}

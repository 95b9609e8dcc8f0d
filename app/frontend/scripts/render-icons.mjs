// Renders the app's icons (favicon, Apple touch icon, the web app manifest's icons) from the mark
// designed below. Run it after changing the design and commit what it writes to public/:
//   npm run icons -w app/frontend
// It is not part of the build: sharp comes with Next as an optional dependency, and the icons change
// far less often than the app.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const publicDir = fileURLToPath(new URL('../public', import.meta.url))
const iconsDir = path.join(publicDir, 'icons')

/** The brand blue (Tailwind blue-700, the app's primary buttons and links) and white. */
const blue = '#1d4ed8'
const white = '#ffffff'

/**
 * The mark on a 512 × 512 canvas: a speech bubble with a voice's waveform in it ("avaaz" is Persian
 * for voice). Bars are strokes with round caps, so they stay crisp down to 16 pixels.
 */
const bars = [
  { x: 176, height: 56 },
  { x: 216, height: 112 },
  { x: 256, height: 152 },
  { x: 296, height: 112 },
  { x: 336, height: 56 },
]
const mark = [
  `<rect x="96" y="120" width="320" height="224" rx="72" fill="${white}"/>`,
  `<path d="M152 320 L136 408 L248 336 Z" fill="${white}" stroke="${white}" stroke-width="8" stroke-linejoin="round"/>`,
  ...bars.map(({ x, height }) => `<line x1="${x}" y1="${232 - height / 2}" x2="${x}" y2="${232 + height / 2}" stroke="${blue}" stroke-width="26" stroke-linecap="round"/>`),
].join('')

/**
 * `rounded`: the mark on a rounded square, for tabs and "any" purpose icons. Otherwise a full-bleed
 * square with the mark shrunk into the central safe zone (a circle of 40 % radius), for maskable
 * icons and iOS, which cut their own shape and fill transparent corners with black.
 */
function iconSvg({ rounded }) {
  const background = rounded ? `<rect width="512" height="512" rx="112" fill="${blue}"/>` : `<rect width="512" height="512" fill="${blue}"/>`
  const body = rounded ? mark : `<g transform="translate(256 256) scale(0.9) translate(-256 -264)">${mark}</g>`
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><title>Avaaz</title>${background}${body}</svg>\n`
}

/** An .ico holding PNG images (allowed since Windows Vista, read by every browser). */
function ico(pngs) {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(pngs.length, 4)
  let offset = 6 + 16 * pngs.length
  const entries = pngs.map(({ size, data }) => {
    const entry = Buffer.alloc(16)
    entry.writeUInt8(size >= 256 ? 0 : size, 0)
    entry.writeUInt8(size >= 256 ? 0 : size, 1)
    entry.writeUInt16LE(1, 4) // colour planes
    entry.writeUInt16LE(32, 6) // bits per pixel
    entry.writeUInt32LE(data.length, 8)
    entry.writeUInt32LE(offset, 12)
    offset += data.length
    return entry
  })
  return Buffer.concat([header, ...entries, ...pngs.map(({ data }) => data)])
}

let sharp
try {
  ;({ default: sharp } = await import('sharp'))
} catch {
  console.error('sharp is not installed (it comes with Next as an optional dependency): npm install --no-save sharp, then run this again.')
  process.exit(1)
}

async function png(svg, size) {
  return sharp(Buffer.from(svg), { density: (72 * size) / 512 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer()
}

mkdirSync(iconsDir, { recursive: true })
const rounded = iconSvg({ rounded: true })
const fullBleed = iconSvg({ rounded: false })
const outputs = {
  'icons/icon.svg': Buffer.from(rounded),
  'icons/icon-192.png': await png(rounded, 192),
  'icons/icon-512.png': await png(rounded, 512),
  'icons/icon-maskable-512.png': await png(fullBleed, 512),
  'icons/apple-touch-icon.png': await png(fullBleed, 180),
  'favicon.ico': ico(await Promise.all([16, 32, 48].map(async (size) => ({ size, data: await png(rounded, size) })))),
}
for (const [name, data] of Object.entries(outputs)) {
  writeFileSync(path.join(publicDir, name), data)
  console.log(`wrote public/${name} (${data.length} bytes)`)
}

import type { MetadataRoute } from 'next'
import { themeColors } from '@/theme/config'

/**
 * The web app manifest (`/manifest.webmanifest`, linked from every page by Next): Avaaz installs as
 * an app of its own window. Icons come from scripts/render-icons.mjs.
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: '/',
    name: 'Avaaz',
    short_name: 'Avaaz',
    description: 'A speaking coach for adult learners of Norwegian (Bokmål), A1 to B2, with a focus on the oral Norskprøven.',
    lang: 'en',
    // An installed app opens on the learner's home (sign-in first, and back, when signed out).
    start_url: '/home',
    scope: '/',
    display: 'standalone',
    orientation: 'any',
    background_color: themeColors.light,
    theme_color: themeColors.light,
    categories: ['education'],
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  }
}

'use client'
import { useEffect } from 'react'

/**
 * Installs the service worker (public/sw.js): the offline page when the network is gone, nothing
 * else. Production builds only: in `next dev` a worker would serve stale pages over hot reloads.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return
    // updateViaCache 'none': each visit checks sw.js itself, so a new worker is picked up at once.
    navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch((error: unknown) => {
      // No worker only means no offline page; the app works the same.
      console.warn('Service worker not registered:', error)
    })
  }, [])
  return null
}

'use client'
import { useQueryClient } from '@tanstack/react-query'
import { useCallback, useSyncExternalStore } from 'react'
import { ApiError } from '@/lib/api/client'

// What browsers put in the TypeError a failed fetch rejects with (Chromium, Firefox, Safari).
const NETWORK_FAILURE = /failed to fetch|networkerror|load failed|network request failed|fetch failed/i

/**
 * True when a request failed because the server could not be reached, as opposed to the server
 * answering with a problem. A proxy's 502/503/504 carries no problem document (unwrap then reports
 * the type `about:blank`); our own 503s do and say what is wrong, so they are not counted here.
 */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof ApiError) return [502, 503, 504].includes(error.problem.status) && error.problem.type === 'about:blank'
  return error instanceof TypeError && NETWORK_FAILURE.test(error.message)
}

function subscribeOnline(onChange: () => void) {
  window.addEventListener('online', onChange)
  window.addEventListener('offline', onChange)
  return () => {
    window.removeEventListener('online', onChange)
    window.removeEventListener('offline', onChange)
  }
}

/** Whether the browser believes it has a network; the server render assumes it has. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  )
}

export type ServerReach = 'ok' | 'unreachable' | 'retrying'

/**
 * Whether any query in the cache last failed because the server was unreachable, and a retry that
 * asks every failed query again.
 */
export function useServerReach(): { reach: ServerReach; retry: () => void } {
  const client = useQueryClient()
  const cache = client.getQueryCache()
  const reach = useSyncExternalStore(
    useCallback((onChange: () => void) => cache.subscribe(onChange), [cache]),
    () => {
      const failed = cache.getAll().filter((query) => query.state.status === 'error' && isUnreachable(query.state.error))
      if (failed.length === 0) return 'ok'
      return failed.some((query) => query.state.fetchStatus === 'fetching') ? 'retrying' : 'unreachable'
    },
    () => 'ok' as const,
  )
  const retry = useCallback(() => {
    void client.refetchQueries({ predicate: (query) => query.state.status === 'error' })
  }, [client])
  return { reach, retry }
}

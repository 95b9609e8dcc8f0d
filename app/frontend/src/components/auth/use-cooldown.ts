'use client'
import { useCallback, useEffect, useState } from 'react'

/**
 * Seconds left before an action may be repeated. It starts at `initialSeconds` (the same number on
 * the server and in the browser, so the markup matches); the deadline itself is set in the browser.
 */
export function useCooldown(initialSeconds: number) {
  const [remaining, setRemaining] = useState(initialSeconds)
  const [deadline, setDeadline] = useState<number | null>(null)

  useEffect(() => {
    if (initialSeconds > 0) setDeadline(Date.now() + initialSeconds * 1000)
  }, [initialSeconds])

  useEffect(() => {
    if (deadline === null) return
    // Counted from a deadline rather than by decrementing, so a throttled background tab catches up.
    const timer = setInterval(() => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
      setRemaining(left)
      if (left === 0) clearInterval(timer)
    }, 1000)
    return () => clearInterval(timer)
  }, [deadline])

  const start = useCallback((seconds: number) => {
    setRemaining(seconds)
    setDeadline(Date.now() + seconds * 1000)
  }, [])

  return { remaining, start }
}

'use client'
import { useEffect, useRef, useState } from 'react'

/**
 * Whole seconds until `deadline` on the server's clock (`offsetMs` = server minus device time), ticking
 * every second; null without a deadline. The device's clock alone may be minutes off: only the time
 * that passes on it counts, measured from the server's "now".
 */
export function useSecondsLeft(deadline: string | null, offsetMs: number): number | null {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!deadline) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [deadline])
  if (!deadline) return null
  return Math.max(0, Math.ceil((Date.parse(deadline) - (now + offsetMs)) / 1000))
}

/** "1:05", "12:00" */
export function clockText(seconds: number): string {
  const minutes = Math.floor(seconds / 60)
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`
}

export type Milestone = 'oneMinute' | 'timeUp'

/**
 * The milestone the countdown of one phase (`phaseKey`) has just passed: a minute left, time up. Only
 * a crossing counts — opening the page with 40 seconds left announces nothing — so a screen reader
 * hears the time at these moments, never every second.
 */
export function useMilestone(secondsLeft: number | null, phaseKey: string): Milestone | null {
  const [milestone, setMilestone] = useState<Milestone | null>(null)
  const previous = useRef<{ key: string; seconds: number | null }>({ key: phaseKey, seconds: secondsLeft })
  useEffect(() => {
    const before = previous.current
    previous.current = { key: phaseKey, seconds: secondsLeft }
    if (before.key !== phaseKey) {
      setMilestone(null)
      return
    }
    if (secondsLeft === null || before.seconds === null) return
    if (before.seconds > 0 && secondsLeft === 0) setMilestone('timeUp')
    else if (before.seconds > 60 && secondsLeft <= 60) setMilestone('oneMinute')
  }, [secondsLeft, phaseKey])
  return milestone
}

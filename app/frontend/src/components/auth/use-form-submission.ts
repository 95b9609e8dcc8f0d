'use client'
import { useCallback, useLayoutEffect, useRef, useState } from 'react'

/**
 * The submit lifecycle every auth form shares: one request at a time (a second submit while one is
 * in flight is ignored, even before the busy button has re-rendered), and after a failure focus
 * goes to the first invalid field or, when no field is to blame, to the error message, so keyboard
 * and screen-reader users land on what needs fixing.
 */
export function useFormSubmission() {
  const formRef = useRef<HTMLFormElement>(null)
  const alertRef = useRef<HTMLDivElement>(null)
  const inFlight = useRef(false)
  const [busy, setBusy] = useState(false)
  const [failures, setFailures] = useState(0)

  // A layout effect: focus moves in the same commit that shows the messages, never a frame later.
  useLayoutEffect(() => {
    if (failures === 0) return
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')
    ;(invalid ?? alertRef.current)?.focus()
  }, [failures])

  /** Marks a request as started; false when one is already in flight (the caller then does nothing). */
  const start = useCallback(() => {
    if (inFlight.current) return false
    inFlight.current = true
    setBusy(true)
    return true
  }, [])

  /** The submit failed (validation or server): ready for another try, focus moves to the problem. */
  const fail = useCallback(() => {
    inFlight.current = false
    setBusy(false)
    setFailures((count) => count + 1)
  }, [])

  /** The request succeeded and the form stays on screen. (When navigating away, stay busy instead.) */
  const settle = useCallback(() => {
    inFlight.current = false
    setBusy(false)
  }, [])

  return { formRef, alertRef, busy, start, fail, settle }
}

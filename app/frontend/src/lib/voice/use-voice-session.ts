'use client'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { initialMeter, initialSnapshot, VoiceSession, type VoiceMeter, type VoiceSessionEvents, type VoiceSessionOptions, type VoiceSnapshot } from './voice-session'

/**
 * React bindings of `VoiceSession`: one session per component (turned off when it unmounts), its
 * snapshot, its meter (apart, so only the meter re-renders 50 times a second) and its events.
 */

export function useVoiceSession(options?: VoiceSessionOptions): VoiceSession {
  const [session] = useState(() => new VoiceSession(options))
  useEffect(() => () => session.stop(), [session])
  return session
}

const serverSnapshot = () => initialSnapshot
const serverMeter = () => initialMeter

export function useVoiceSnapshot(session: VoiceSession): VoiceSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot, serverSnapshot)
}

export function useVoiceMeter(session: VoiceSession): VoiceMeter {
  return useSyncExternalStore(session.subscribeMeter, session.getMeter, serverMeter)
}

export type VoiceEventHandlers = { [K in keyof VoiceSessionEvents]?: (payload: VoiceSessionEvents[K]) => void }

/** Subscribes to the session's events; the handlers may change on every render. */
export function useVoiceEvents(session: VoiceSession, handlers: VoiceEventHandlers): void {
  const latest = useRef(handlers)
  useEffect(() => {
    latest.current = handlers
  })
  useEffect(() => {
    const types = ['status', 'turn', 'delta', 'correction', 'visual', 'change', 'line', 'error', 'said', 'undelivered', 'speech'] as const
    const offs = types.map((type) =>
      session.on(type, (payload: unknown) => {
        const handler = latest.current[type] as ((payload: unknown) => void) | undefined
        handler?.(payload)
      }),
    )
    return () => offs.forEach((off) => off())
  }, [session])
}

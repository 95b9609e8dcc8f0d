'use client'
import { useTranslations } from 'next-intl'
import { useSyncExternalStore } from 'react'

export type TalkStatus =
  | 'connecting'
  | 'starting'
  | 'ready'
  | 'answering'
  | 'reconnecting'
  | 'offline'
  | 'error'
  // With voice on:
  | 'voiceConnecting'
  | 'voiceReconnecting'
  | 'listening'
  | 'listeningTyped'
  | 'tutorSpeaking'

function subscribeOnline(callback: () => void) {
  window.addEventListener('online', callback)
  window.addEventListener('offline', callback)
  return () => {
    window.removeEventListener('online', callback)
    window.removeEventListener('offline', callback)
  }
}

/** Whether the browser says it is online (always true while rendering on the server). */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  )
}

const dots: Record<TalkStatus, string> = {
  connecting: 'bg-slate-400',
  starting: 'bg-blue-500 animate-pulse',
  ready: 'bg-green-600',
  answering: 'bg-blue-500 animate-pulse',
  reconnecting: 'bg-amber-500 animate-pulse',
  offline: 'bg-red-600',
  error: 'bg-red-600',
  voiceConnecting: 'bg-slate-400 animate-pulse',
  voiceReconnecting: 'bg-amber-500 animate-pulse',
  listening: 'bg-green-600',
  listeningTyped: 'bg-green-600',
  tutorSpeaking: 'bg-blue-500 animate-pulse',
}

/** One line saying what the conversation is doing; its height never changes, so nothing below jumps. */
export function StatusLine({ status, detail }: { status: TalkStatus; detail?: string | undefined }) {
  const t = useTranslations('talk.status')
  return (
    <p role="status" aria-atomic="true" className="flex min-h-5 items-center gap-2 text-slate-700 dark:text-slate-300">
      <span aria-hidden className={`size-2 shrink-0 rounded-full ${dots[status]}`} />
      <span className="truncate">{detail ?? t(status)}</span>
    </p>
  )
}

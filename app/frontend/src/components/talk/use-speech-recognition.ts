'use client'
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'

/** The parts of the Web Speech API we use (TypeScript's DOM library does not declare the recogniser). */
interface Recognition extends EventTarget {
  lang: string
  interimResults: boolean
  continuous: boolean
  maxAlternatives: number
  start(): void
  stop(): void
  abort(): void
  onresult: ((event: { resultIndex: number; results: SpeechRecognitionResultList }) => void) | null
  onerror: ((event: { error: string }) => void) | null
  onend: (() => void) | null
}
type RecognitionConstructor = new () => Recognition

function recognitionConstructor(): RecognitionConstructor | null {
  if (typeof window === 'undefined') return null
  const scope = window as unknown as { SpeechRecognition?: RecognitionConstructor; webkitSpeechRecognition?: RecognitionConstructor }
  return scope.SpeechRecognition ?? scope.webkitSpeechRecognition ?? null
}

const noSubscription = () => () => undefined

/** Whether this browser recognises speech; false while rendering on the server (no hydration mismatch). */
export function useSpeechRecognitionSupport(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => recognitionConstructor() !== null,
    () => false,
  )
}

export type SpeechProblem = 'denied' | 'no_microphone' | 'no_speech' | 'network' | 'failed'

function problemOf(error: string): SpeechProblem | null {
  switch (error) {
    case 'not-allowed':
    case 'service-not-allowed':
      return 'denied'
    case 'audio-capture':
      return 'no_microphone'
    case 'no-speech':
      return 'no_speech'
    case 'network':
      return 'network'
    case 'aborted':
      return null
    default:
      return 'failed'
  }
}

/**
 * Browser speech recognition in Norwegian: interim text as the learner speaks, the final text once
 * they stop. Only where the browser has a recogniser; the caller keeps typed input available.
 */
export function useSpeechRecognition(handlers: { onInterim(text: string): void; onFinal(text: string): void }) {
  const supported = useSpeechRecognitionSupport()
  const [listening, setListening] = useState(false)
  const [problem, setProblem] = useState<SpeechProblem | null>(null)
  const recognition = useRef<Recognition | null>(null)
  const latest = useRef(handlers)
  useEffect(() => {
    latest.current = handlers
  })

  useEffect(() => () => recognition.current?.abort(), [])

  const start = useCallback(() => {
    const Constructor = recognitionConstructor()
    if (!Constructor || recognition.current) return
    const recogniser = new Constructor()
    recogniser.lang = 'nb-NO'
    recogniser.interimResults = true
    recogniser.continuous = false
    recogniser.maxAlternatives = 1
    let finalText = ''
    recogniser.onresult = (event) => {
      let interim = ''
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i]
        if (!result?.[0]) continue
        if (result.isFinal) finalText += result[0].transcript
        else interim += result[0].transcript
      }
      latest.current.onInterim((finalText + interim).trim())
    }
    recogniser.onerror = (event) => setProblem(problemOf(event.error))
    recogniser.onend = () => {
      recognition.current = null
      setListening(false)
      const text = finalText.trim()
      if (text) latest.current.onFinal(text)
    }
    setProblem(null)
    try {
      recogniser.start()
      recognition.current = recogniser
      setListening(true)
    } catch {
      setProblem('failed')
    }
  }, [])

  const stop = useCallback(() => recognition.current?.stop(), [])

  return { supported, listening, problem, start, stop }
}

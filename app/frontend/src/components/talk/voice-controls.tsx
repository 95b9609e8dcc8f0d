'use client'
import { useTranslations } from 'next-intl'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { useVoiceMeter } from '@/lib/voice/use-voice-session'
import type { VoiceProblem, VoiceSession, VoiceSnapshot } from '@/lib/voice/voice-session'

/** The microphone button: turns the voice conversation on and off. */
export function VoiceButton({ voice, onToggle, describedBy }: { voice: VoiceSnapshot; onToggle(): void; describedBy: string }) {
  const t = useTranslations('talk.voice')
  const on = voice.active
  return (
    <Button
      type="button"
      variant={on ? 'danger' : 'secondary'}
      className="px-3"
      aria-pressed={on}
      aria-describedby={describedBy}
      data-voice-status={voice.status}
      onClick={onToggle}
    >
      <MicIcon on={on} />
      <span className="sr-only">{on ? t('stop') : t('start')}</span>
    </Button>
  )
}

function MicIcon({ on }: { on: boolean }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <rect x="9" y="3" width="6" height="11" rx="3" className={on ? 'fill-current' : ''} />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    </svg>
  )
}

/**
 * The input level, as a meter a screen reader can read (it is not announced as it moves). The data
 * attributes let browser tests see the microphone and the tutor's audio without listening.
 */
export function LevelMeter({ session }: { session: VoiceSession }) {
  const t = useTranslations('talk.voice')
  const meter = useVoiceMeter(session)
  const percent = Math.round(meter.level * 100)
  return (
    <div
      role="meter"
      aria-label={t('meter')}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
      data-level={meter.level.toFixed(3)}
      data-peak={meter.peak.toFixed(3)}
      data-audio-sent={meter.framesSent}
      data-audio-received={meter.framesReceived}
      className="h-2 w-20 shrink-0 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
    >
      <div className="h-full w-full origin-left bg-green-600 transition-transform duration-75 dark:bg-green-500" style={{ transform: `scaleX(${meter.level})` }} />
    </div>
  )
}

/** Under the input while voice is on (or could be): the meter and what the learner can do now. */
export function VoiceNote({ id, session, voice }: { id: string; session: VoiceSession; voice: VoiceSnapshot }) {
  const t = useTranslations('talk.voice.note')
  const note = !voice.active
    ? t('off')
    : voice.status === 'connecting'
      ? t('connecting')
      : voice.status === 'reconnecting'
        ? t('reconnecting')
        : voice.muted
          ? t('muted')
          : voice.speechToText === 'none'
            ? t('none')
            : voice.speechToText === 'browser'
              ? t('browser')
              : t('server')
  return (
    <div className="flex min-h-5 items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
      {voice.active ? <LevelMeter session={session} /> : null}
      <p id={id}>{note}</p>
    </div>
  )
}

/** While the tutor speaks (not in an exam): stop it, as speaking over it would. */
export function StopTutorButton({ onStop }: { onStop(): void }) {
  const t = useTranslations('talk.voice')
  return (
    <Button type="button" variant="ghost" className="min-h-9 self-start py-1 text-sm" onClick={onStop}>
      {t('stopTutor')}
    </Button>
  )
}

/** Why voice stopped and what to do about it; typing goes on meanwhile. */
export function VoiceProblemNotice({ problem, onRetry, onDismiss }: { problem: VoiceProblem; onRetry(): void; onDismiss(): void }) {
  const t = useTranslations('talk.voice.problem')
  const canRetry = !(problem.kind === 'connection' && (problem.reason === 'unavailable' || problem.reason === 'protocol' || problem.reason === 'signed_out'))
  return (
    <Alert tone="error">
      <p>{problem.kind === 'mic' ? t(`mic.${problem.reason}`) : t(`connection.${problem.reason}`)}</p>
      <p className="mt-2 flex flex-wrap gap-3">
        {canRetry ? (
          <Button variant="danger" className="min-h-9 py-1 text-sm" onClick={onRetry}>
            {t('retry')}
          </Button>
        ) : null}
        <Button variant="ghost" className="min-h-9 py-1 text-sm" onClick={onDismiss}>
          {t('dismiss')}
        </Button>
      </p>
    </Alert>
  )
}

/** For admins: the engines and the last reply's latency (learners are not shown timings). */
export function VoiceDetails({ session, voice }: { session: VoiceSession; voice: VoiceSnapshot }) {
  const t = useTranslations('talk.voice.details')
  const meter = useVoiceMeter(session)
  return (
    <details className="text-xs text-slate-600 dark:text-slate-400">
      <summary className="cursor-pointer">{t('summary')}</summary>
      <ul className="mt-1 flex flex-col gap-0.5">
        {voice.engines ? <li>{t('engines', { stt: voice.engines.speechToText, tutor: voice.engines.tutor, speech: voice.engines.speech })}</li> : null}
        <li>{voice.latencyMs === null ? t('noLatency') : t('latency', { ms: voice.latencyMs })}</li>
        <li>{t('frames', { sent: meter.framesSent, received: meter.framesReceived })}</li>
      </ul>
    </details>
  )
}

import type { CefrLevel, GreetingVerbosity, SittingSummary } from '../../core/db/schema/index.js'
import type { ConversationLevelFile } from '../curriculum/content-schema.js'

export type GreetingKind = 'first' | 'returning' | 'after_break' | 'resume_lesson'

export interface Greeting {
  kind: GreetingKind
  text: string
  translation: string | null
  recap: string | null
}

export interface GreetingInput {
  bank: ConversationLevelFile
  level: CefrLevel
  firstName: string
  verbosity: GreetingVerbosity
  explanationLanguage: string
  /** Closed sittings so far; 0 means this is the learner's first. */
  sittingCount: number
  /** When the learner was last active, if ever. */
  lastActivityAt: Date | null
  /** Title of a lesson left unfinished in the session. */
  unfinishedLesson: string | null
  lastSummary: { endedAt: Date; minutes: number | null; lessonTitle: string | null; summary: SittingSummary | null } | null
  now: Date
}

/** A week away counts as a break: the greeting welcomes the learner back instead of carrying on. */
const BREAK_DAYS = 7

/**
 * The tutor's first words when the learner opens the session: shaped by whether this is the first
 * sitting, how long they were away, an unfinished lesson, and the learner's greeting verbosity
 * (brief: one line; normal: plus the offer to resume; detailed: plus a recap of last time).
 */
export function buildGreeting(input: GreetingInput): Greeting {
  const { bank, verbosity } = input
  const away = input.lastActivityAt ? (input.now.getTime() - input.lastActivityAt.getTime()) / 86_400_000 : 0
  const base: Exclude<GreetingKind, 'resume_lesson'> =
    input.sittingCount === 0 && !input.lastActivityAt ? 'first' : away >= BREAK_DAYS ? 'after_break' : 'returning'
  const lines = base === 'first' ? bank.greetings.first : base === 'after_break' ? bank.greetings.afterBreak : bank.greetings.returning
  const pick = <T>(list: T[]) => list[input.sittingCount % list.length]!
  const fill = (line: string) => line.replace('{name}', input.firstName).replace('{lesson}', input.unfinishedLesson ?? '')
  const greeting = pick(lines)
  const parts = [{ nb: fill(greeting.nb), en: fill(greeting.en) }]
  const resume = input.unfinishedLesson !== null && verbosity !== 'brief'
  if (resume) {
    const line = pick(bank.greetings.resumeLesson)
    parts.push({ nb: fill(line.nb), en: fill(line.en) })
  }
  const showTranslation = input.explanationLanguage === 'en' && (input.level === 'A1' || input.level === 'A2')
  return {
    kind: resume ? 'resume_lesson' : base,
    text: parts.map((part) => part.nb).join(' '),
    translation: showTranslation ? parts.map((part) => part.en).join(' ') : null,
    recap: verbosity === 'detailed' && input.lastSummary ? recapOf(input.lastSummary) : null,
  }
}

function recapOf(last: NonNullable<GreetingInput['lastSummary']>): string {
  const when = last.endedAt.toISOString().slice(0, 10)
  const parts = [`Last time (${when}${last.minutes ? `, ${Math.max(1, Math.round(last.minutes))} min` : ''})${last.lessonTitle ? `: lesson «${last.lessonTitle}»` : ''}.`]
  const summary = last.summary
  if (summary?.strengths[0]) parts.push(`Went well: ${lowerFirst(summary.strengths[0])}`)
  if (summary?.weaknesses[0]) parts.push(`To work on: ${lowerFirst(summary.weaknesses[0])}`)
  if (summary?.nextSteps[0]) parts.push(`Next: ${lowerFirst(summary.nextSteps[0])}`)
  return parts.map((part) => (/[.!?]$/.test(part) ? part : `${part}.`)).join(' ')
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

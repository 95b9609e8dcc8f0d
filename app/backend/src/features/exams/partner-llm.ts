import { generateText, type LanguageModel } from 'ai'
import type { CefrLevel, TurnRole } from '../../core/db/schema/index.js'

/**
 * The co-candidate worded by a language model: a fellow test-taker at a chosen level who talks about
 * the pair's topic, answers and asks, and never teaches. The scripted conductor still decides the
 * shape of the task (when the partner asks for help, when the examiner closes it); the model only
 * says the partner's turn, with the scripted line as the example of what kind of turn it is.
 */

const levelStyle: Record<CefrLevel, string> = {
  A1: 'very short, simple sentences (4–8 words), present tense, everyday words; sometimes a small mistake a beginner makes',
  A2: 'short simple sentences joined with og, men, fordi; everyday words; past tense now and then',
  B1: 'connected sentences with reasons and examples; some subordinate clauses; a personal opinion',
  B2: 'fluent, natural sentences; opinions with reasons, nuance and polite disagreement',
}

const PARTNER_TIMEOUT_MS = 15_000

export interface PartnerTurnInput {
  level: CefrLevel
  topic: string
  /** The pair task so far, oldest first. */
  transcript: Array<{ role: TurnRole; text: string }>
  /** The scripted line for this turn: what kind of turn to say (react and ask, tell something, ask for help). */
  scripted: string
}

export async function partnerTurnWithLanguageModel(model: LanguageModel, input: PartnerTurnInput): Promise<string> {
  const { text } = await generateText({
    model,
    maxRetries: 1,
    abortSignal: AbortSignal.timeout(PARTNER_TIMEOUT_MS),
    system: [
      'You are the other candidate in a Norwegian oral exam (Norskprøven), an adult immigrant living in Norway, talking with a fellow candidate about the topic the examiner gave.',
      `Speak Norwegian Bokmål at CEFR ${input.level}: ${levelStyle[input.level]}.`,
      'Say one turn of one to three sentences, as a real candidate would: tell something about yourself, react to what they said, ask them a question, and now and then ask them for help with a word.',
      'Never correct or teach the other candidate, never speak English, never mention being an AI, and do not talk to the examiner.',
      `Topic: ${input.topic}`,
      `This turn should be like: «${input.scripted}»`,
    ].join('\n'),
    messages: input.transcript.map((line) => ({
      role: line.role === 'partner' ? ('assistant' as const) : ('user' as const),
      content: line.role === 'examiner' ? `(Examiner) ${line.text}` : line.text,
    })),
  })
  return text.trim()
}

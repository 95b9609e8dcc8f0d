import { generateText, Output, type LanguageModel } from 'ai'
import { z } from 'zod'
import { estimatedLevels, type EstimatedLevel, type ExamLevel, type ExamPart, type ScoreEvidence, type ScoreRater, type Turn } from '../../core/db/schema/index.js'
import type { PartScore } from './exam-scoring.js'
import type { CriterionEstimate, MeasuredCriterion } from './estimator.js'

/**
 * The rubric rater: a language model reads each scored part's transcript with the rubric of the
 * test's levels and the measured figures, and judges each criterion with a band and quotes. Its
 * judgement replaces the measured band only where it brings evidence — quotes that are really the
 * candidate's words in that part — and only where the measured estimator found enough speech:
 * a criterion without evidence stays "not assessable", whoever rates it. It reads text, so it never
 * rates pronunciation.
 */

/** Short rubric per criterion and level, after the CEFR scales for spoken production and interaction. */
export const RUBRIC: Record<Exclude<MeasuredCriterion, 'pronunciation'>, Record<'A1' | 'A2' | 'B1' | 'B2', string>> = {
  task_completion: {
    A1: 'answers simple questions about themself with single words and set phrases when helped',
    A2: 'gets a simple message across about familiar, everyday things; the task is done in its simplest form',
    B1: 'does the whole task: describes, explains briefly and gives reasons for opinions',
    B2: 'does the task fully and precisely, develops points with relevant detail and examples',
  },
  fluency: {
    A1: 'very short, isolated utterances with many pauses to search for words',
    A2: 'short phrases; pauses, false starts and reformulations are very evident',
    B1: 'keeps going comprehensibly, with pauses for planning and repair in longer stretches',
    B2: 'a fairly even tempo; few noticeably long pauses',
  },
  vocabulary: {
    A1: 'a basic repertoire of isolated words and phrases about personal details',
    A2: 'enough words for routine everyday needs and familiar situations',
    B1: 'enough vocabulary to talk about most everyday topics, with some circumlocution',
    B2: 'a good range for their field and most general topics; varies formulation to avoid repetition',
  },
  grammar: {
    A1: 'limited control of a few simple structures and sentence patterns',
    A2: 'simple structures used correctly but basic mistakes are systematic (e.g. verb second, tense)',
    B1: 'reasonably accurate use of frequent patterns in familiar situations; errors do not block meaning',
    B2: 'good grammatical control; occasional slips, no errors that cause misunderstanding; complex sentences',
  },
  coherence: {
    A1: 'links words with very basic connectors such as «og» and «så»',
    A2: 'links groups of words with simple connectors such as «og», «men» and «fordi»',
    B1: 'links a series of shorter elements into a connected, linear sequence of points',
    B2: 'uses a variety of linking words to mark the relationships between ideas clearly',
  },
  interaction: {
    A1: 'asks and answers simple questions; depends on the partner repeating and helping',
    A2: 'handles short exchanges; asks and answers; rarely keeps the conversation going alone',
    B1: 'starts, keeps up and closes a simple conversation; asks back; checks understanding',
    B2: 'takes turns naturally, follows up on what the partner says and helps the conversation along',
  },
}

const bandOrNone = z.enum([...estimatedLevels, 'not_assessable'])

const ratingSchema = z.object({
  parts: z.array(
    z.object({
      position: z.number().int().describe('The part number as given'),
      criteria: z.array(
        z.object({
          criterion: z.enum(['task_completion', 'fluency', 'vocabulary', 'grammar', 'coherence', 'interaction']),
          band: bandOrNone.describe('not_assessable when the transcript gives too little evidence'),
          justification: z.string().max(400).describe('One or two sentences in English naming what in the answers shows the band'),
          quotes: z.array(z.object({ turnId: z.string(), text: z.string().max(300) })).max(3).describe("Exact words of the candidate's turns"),
        }),
      ),
    }),
  ),
  feedback: z.string().max(1500).describe('Feedback to the candidate, in the language asked for: what went well, what to work on next'),
  strengths: z.array(z.string().max(200)).max(3),
  weaknesses: z.array(z.string().max(200)).max(3),
})
export type Rating = z.infer<typeof ratingSchema>

export interface RatedPart {
  part: ExamPart
  prompt: string | null
  turns: Turn[]
  measured: PartScore['estimates']
  /** The candidate's words in the part, as measured (weights the parts when they are combined). */
  words: number
}

const RATER_TIMEOUT_MS = 90_000

const languageNames: Record<string, string> = { en: 'English', nb: 'Norwegian Bokmål' }

export async function rateWithLanguageModel(
  model: LanguageModel,
  input: { level: ExamLevel; explanationLanguage: string; parts: RatedPart[] },
): Promise<{ parts: PartScore[]; feedback: { text: string; strengths: string[]; weaknesses: string[] } }> {
  const levels = input.level.split('-') as Array<'A1' | 'A2' | 'B1' | 'B2'>
  const rubric = (Object.keys(RUBRIC) as Array<keyof typeof RUBRIC>)
    .map((criterion) => `${criterion}: ${(['A1', 'A2', 'B1', 'B2'] as const).map((level) => `${level} — ${RUBRIC[criterion][level]}`).join('; ')}`)
    .join('\n')
  const parts = input.parts
    .map((entry) => {
      const measured = entry.measured
        .flatMap((estimate) => estimate.evidence.filter((item) => item.kind === 'measure').map((item) => `${item.metric}=${item.value} ${item.unit ?? ''}`.trim()))
        .slice(0, 12)
      const transcript = entry.turns.map((turn) => `[${turn.id}] ${turn.role === 'learner' ? 'CANDIDATE' : turn.role.toUpperCase()}: ${turn.text}`).join('\n')
      return [
        `PART ${entry.part.position}: ${entry.part.title} (${entry.part.taskType}, ${entry.part.mode}); criteria: ${entry.part.criteria.filter((criterion) => criterion !== 'pronunciation').join(', ')}`,
        entry.prompt ? `Task: ${entry.prompt}` : '',
        `Measured: ${measured.join('; ') || 'none'}`,
        `Transcript:\n${transcript || '(nothing said)'}`,
      ]
        .filter(Boolean)
        .join('\n')
    })
    .join('\n\n')
    .slice(-24_000)
  const { output } = await generateText({
    model,
    output: Output.object({ schema: ratingSchema }),
    maxRetries: 1,
    abortSignal: AbortSignal.timeout(RATER_TIMEOUT_MS),
    system: [
      `You are the second rater (sensor) of a mock oral Norskprøven at level ${input.level}: it measures ${levels.join(' and ')}.`,
      'Rate only what the CANDIDATE said; the examiner and the partner are not rated. Judge each listed criterion with a CEFR band using the rubric,',
      "and back every band with one to three exact quotes from the candidate's turns (copy the turn id in brackets). If a part gives too little evidence for a criterion, answer not_assessable — never guess.",
      'Typed answers may lack pauses; do not rate pronunciation. Be fair and neutral, like a trained rater.',
      `Rubric:\n${rubric}`,
    ].join('\n'),
    prompt: `${parts}\n\nWrite the feedback, strengths and weaknesses in ${languageNames[input.explanationLanguage] ?? 'English'}.`,
  })
  return {
    parts: input.parts.map((entry) => ({
      part: entry.part,
      words: entry.words,
      estimates: entry.measured.map((estimate) => merge(estimate, output.parts.find((part) => part.position === entry.part.position)?.criteria ?? [], entry.turns)),
    })),
    feedback: { text: output.feedback, strengths: output.strengths, weaknesses: output.weaknesses },
  }
}

const normalise = (text: string) => text.toLowerCase().replace(/[«»"“”.,!?…:;()-]/g, ' ').replace(/\s+/g, ' ').trim()

const MIN_QUOTE_WORDS = 3

const levelScore: Record<EstimatedLevel, number> = { below_A1: 0, A1: 1, A2: 2, B1: 3, B2: 4 }

/** The rater's band replaces the measured one where it quotes the candidate truly and the measured estimator found enough speech. */
export function merge(
  estimate: CriterionEstimate & { rater: ScoreRater },
  rated: Rating['parts'][number]['criteria'],
  turns: Turn[],
): CriterionEstimate & { rater: ScoreRater } {
  if (!estimate.assessable || estimate.criterion === 'pronunciation') return estimate
  const judgement = rated.find((entry) => entry.criterion === estimate.criterion)
  if (!judgement || judgement.band === 'not_assessable') return estimate
  const learnerTurns = new Map(turns.filter((turn) => turn.role === 'learner').map((turn) => [turn.id, turn.text]))
  const quotes: ScoreEvidence[] = judgement.quotes.flatMap((quote) => {
    const said = learnerTurns.get(quote.turnId)
    const words = normalise(quote.text)
    // A quote is at least three whole words of that very turn; the turn's own words are kept, not the model's copy.
    if (!said || words.split(' ').length < MIN_QUOTE_WORDS || !` ${normalise(said)} `.includes(` ${words} `)) return []
    return [{ kind: 'quote' as const, turnId: quote.turnId, text: said.length > 220 ? `${said.slice(0, 219)}…` : said }]
  })
  if (quotes.length === 0) return estimate
  return {
    criterion: estimate.criterion,
    assessable: true,
    band: judgement.band,
    score: levelScore[judgement.band],
    scope: 'full',
    justification: judgement.justification,
    evidence: [...quotes, ...estimate.evidence.filter((item) => item.kind === 'measure')],
    rater: 'llm',
  }
}

import { streamText, tool, type LanguageModel, type ModelMessage } from 'ai'
import { z } from 'zod'
import type { ConversationBank } from '../curriculum/content-pack.js'
import type { PictureLookup } from './offline/offline-tutor.js'
import type { LessonScript, TutorEngine, TutorEvent, TutorStateChange, TutorTurnContext } from './types.js'

/**
 * The tutor on a language model (OpenAI, Gemini, or an OpenAI-compatible server) through the AI SDK.
 * Its instructions come from buildTutorInstructions; it reports lesson progress, corrections and
 * visual aids through tools, which become the same events the scripted tutor emits.
 */

const correctionInput = z.object({
  original: z.string().min(1).max(500).describe("The learner's sentence as they said it"),
  corrected: z.string().min(1).max(500).describe('The same sentence corrected'),
  explanation: z.string().min(1).max(300).describe('One short sentence explaining the rule, in the explanation language'),
})
const wordListInput = z.object({
  title: z.string().min(1).max(100),
  items: z.array(z.object({ term: z.string().min(1).max(100), gloss: z.string().min(1).max(100) })).min(1).max(20),
})
const tableInput = z.object({
  title: z.string().min(1).max(100),
  columns: z.array(z.string().min(1).max(60)).min(1).max(6),
  rows: z.array(z.array(z.string().max(100)).min(1).max(6)).min(1).max(12),
})

const tutorTools = {
  advance_step: tool({
    description: 'The learner has done the current lesson step (or tried twice): move the lesson to the next step, or finish it after the last step.',
    inputSchema: z.object({}),
  }),
  record_correction: tool({ description: "Record an error in the learner's last utterance, with the corrected sentence.", inputSchema: correctionInput }),
  show_word_list: tool({ description: 'Show the learner a short list of words or phrases with translations.', inputSchema: wordListInput }),
  show_table: tool({ description: 'Show the learner a small table (e.g. a verb conjugation or a comparison).', inputSchema: tableInput }),
}

export class LlmTutor implements TutorEngine {
  constructor(
    readonly name: string,
    private readonly model: LanguageModel,
    private readonly pictures: PictureLookup,
    private readonly bank: ConversationBank,
  ) {}

  async *reply(context: TutorTurnContext): AsyncIterable<TutorEvent> {
    const inLesson = context.mode === 'lesson' && context.lesson !== null
    const tools = context.mode === 'exam' ? {} : inLesson ? tutorTools : withoutAdvance(tutorTools)
    const result = streamText({
      model: this.model,
      system: context.instructions,
      messages: [
        ...context.history.map((turn): ModelMessage =>
          turn.role === 'learner' ? { role: 'user', content: turn.text } : { role: 'assistant', content: turn.text },
        ),
        { role: 'user', content: context.answer.text || '(The learner said nothing.)' },
      ],
      tools,
      abortSignal: context.signal,
      // The caller keeps the learner waiting; one quick retry, then a clear error.
      maxRetries: 1,
      temperature: 0.7,
      // Failures arrive as 'error' parts below and are reported by the caller (without the learner's words).
      onError: () => {},
    })
    let spoke = false
    const changes: TutorStateChange[] = []
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          if (part.text) {
            spoke = true
            yield { type: 'delta', text: part.text }
          }
          break
        case 'tool-call':
          if (part.invalid) break
          for (const event of toolEvents(part.toolName, part.input, context, this.pictures)) {
            if (event.type === 'state') changes.push(event.change)
            yield event
          }
          break
        case 'error':
          throw part.error instanceof Error ? part.error : new Error(String(part.error))
        case 'abort':
          throw context.signal.reason instanceof Error ? context.signal.reason : new Error('The reply was aborted.')
        default:
          break
      }
    }
    // Models sometimes answer with a tool call alone; the learner still needs something to respond to.
    if (!spoke) yield { type: 'delta', text: this.fallback(context, changes) }
  }

  /** The scripted line for where the lesson now is: the next step's prompt, the closing line, or the question again. */
  private fallback(context: TutorTurnContext, changes: TutorStateChange[]): string {
    const lines = this.bank.levels[context.learner.level]
    const last = changes.at(-1)
    if (last?.kind === 'lesson_complete' && context.lesson) return lines.lessonComplete[0]!.replace('{lesson}', context.lesson.title)
    if (last?.kind === 'step' && context.lesson) return context.lesson.steps[last.position]?.tutorPrompt ?? lines.transitions[0]!
    const current = context.lesson?.steps[context.stepPosition ?? 0]?.tutorPrompt
    return [lines.acknowledgements[0]!, current].filter(Boolean).join(' ')
  }
}

function withoutAdvance(tools: typeof tutorTools) {
  const { advance_step: _advance, ...rest } = tools
  return rest
}

function* toolEvents(name: string, input: unknown, context: TutorTurnContext, pictures: PictureLookup): Generator<TutorEvent> {
  switch (name) {
    case 'advance_step': {
      if (context.lesson) yield* advance(context.lesson, context.stepPosition ?? 0, pictures)
      return
    }
    case 'record_correction': {
      const correction = correctionInput.safeParse(input)
      if (correction.success) yield { type: 'correction', correction: { ...correction.data, source: 'llm' } }
      return
    }
    case 'show_word_list': {
      const list = wordListInput.safeParse(input)
      if (list.success) yield { type: 'visual', aid: { kind: 'word_list', ...list.data } }
      return
    }
    case 'show_table': {
      const table = tableInput.safeParse(input)
      if (table.success) yield { type: 'visual', aid: { kind: 'table', ...table.data } }
      return
    }
    default:
      return
  }
}

function* advance(lesson: LessonScript, position: number, pictures: PictureLookup): Generator<TutorEvent> {
  const next = position + 1
  if (next >= lesson.steps.length) {
    yield { type: 'state', change: { kind: 'lesson_complete', lessonId: lesson.id } }
    return
  }
  yield { type: 'state', change: { kind: 'step', lessonId: lesson.id, position: next, total: lesson.steps.length } }
  const slug = lesson.steps[next]!.pictureSlug
  const picture = slug ? pictures(slug) : null
  if (slug && picture) yield { type: 'visual', aid: { kind: 'picture', slug, ...picture } }
}

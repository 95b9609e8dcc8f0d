import type { CefrLevel, Correction } from '../../../core/db/schema/index.js'
import type { ConversationBank } from '../../curriculum/content-pack.js'
import { lessonTopics, type ConversationLevelFile, type LessonTopic } from '../../curriculum/content-schema.js'
import type { LessonScript, TutorEngine, TutorEvent, TutorTurnContext, VisualAid } from '../types.js'
import { asksForHelp, asksToRepeat, isQuestion, shortAnswerWords, usedPhrases, usedVocabulary, wordsOf } from './answer.js'

/**
 * The scripted tutor that runs with no AI provider. It walks a lesson's scenario steps (prompt →
 * answer → acknowledgement, hint on an empty or very short answer, one follow-up, next step) and runs
 * free conversation from level-appropriate question banks. It cannot understand what the learner
 * says, so it never pretends to: its reactions are neutral, it tells the learner it cannot answer
 * their questions, and its feedback comes only from what it can measure (length, lesson phrases and
 * words used, rule-based grammar checks).
 */

/** What the scripted tutor remembers between turns (kept in the session's state). */
export interface OfflineMemory {
  /** Rotates through each list of lines so consecutive replies vary, deterministically. */
  cursor: number
  /** Learner answers on the current step that did not move the lesson on. */
  stepAttempts: number
  followUpAsked: boolean
  /** The question the learner is answering (free conversation or a step's follow-up). */
  lastQuestion: string | null
  /** Free conversation: questions already asked, as "topic:index", most recent last. */
  asked: string[]
  askedForMore: boolean
  topic: LessonTopic | null
}

const MAX_REMEMBERED_QUESTIONS = 60

export function offlineMemory(memory: Record<string, unknown>): OfflineMemory {
  return {
    cursor: typeof memory.cursor === 'number' ? memory.cursor : 0,
    stepAttempts: typeof memory.stepAttempts === 'number' ? memory.stepAttempts : 0,
    followUpAsked: memory.followUpAsked === true,
    lastQuestion: typeof memory.lastQuestion === 'string' ? memory.lastQuestion : null,
    asked: Array.isArray(memory.asked) ? memory.asked.filter((item): item is string => typeof item === 'string') : [],
    askedForMore: memory.askedForMore === true,
    topic: lessonTopics.includes(memory.topic as LessonTopic) ? (memory.topic as LessonTopic) : null,
  }
}

/** How the tutor frames a correction; the wording of the lines themselves lives in the content pack. */
const recast = (correction: Correction) => `Vi sier: «${correction.corrected}»`
const tip = (correction: Correction) => `Et lite tips: vi sier «${correction.corrected}»`

export interface PictureLookup {
  (slug: string): { title: string; url: string } | null
}

/** Lines and events of one reply, collected before they are streamed. */
class Reply {
  readonly lines: string[] = []
  readonly events: TutorEvent[] = []
  constructor(
    readonly memory: OfflineMemory,
    readonly bank: ConversationLevelFile,
  ) {}

  /** The next line of a list, rotating, with placeholders filled. */
  pick(list: string[], values: Record<string, string> = {}): string {
    const line = list[this.memory.cursor % list.length]!
    this.memory.cursor += 1
    return line.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
  }

  say(line: string | null | undefined): void {
    if (line) this.lines.push(line.trim())
  }

  emit(event: TutorEvent): void {
    this.events.push(event)
  }

  *stream(): Generator<TutorEvent> {
    const text = this.lines.map((line) => (/[.!?…»]$/.test(line) ? line : `${line}.`)).join(' ')
    // Spoken text first, then what goes beside it (corrections, pictures, state).
    if (text) yield { type: 'delta', text }
    yield* this.events
    yield { type: 'memory', memory: { ...this.memory } }
  }
}

export class OfflineTutor implements TutorEngine {
  readonly name = 'offline'

  constructor(
    private readonly bank: ConversationBank,
    private readonly pictures: PictureLookup,
  ) {}

  async *reply(context: TutorTurnContext): AsyncIterable<TutorEvent> {
    const memory = offlineMemory(context.memory)
    const reply = new Reply(memory, this.bank.levels[context.learner.level])
    if (context.mode === 'lesson' && context.lesson) this.#lessonTurn(reply, context, context.lesson)
    else this.#freeTurn(reply, context)
    yield* reply.stream()
  }

  /** The first thing the tutor says when a lesson starts (at any step) or free conversation opens. */
  opening(options: {
    level: CefrLevel
    lesson: LessonScript | null
    stepPosition: number | null
    topic: LessonTopic | null
    memory: Record<string, unknown>
  }): TutorEvent[] {
    const memory = offlineMemory(options.memory)
    const reply = new Reply(memory, this.bank.levels[options.level])
    if (options.lesson) {
      memory.stepAttempts = 0
      memory.followUpAsked = false
      memory.lastQuestion = null
      const lesson = options.lesson
      reply.emit({ type: 'visual', aid: wordListAid(lesson) })
      if (lesson.phrases.length && (options.level === 'A1' || options.level === 'A2')) reply.emit({ type: 'visual', aid: phraseTableAid(lesson) })
      this.#presentStep(reply, lesson, options.stepPosition ?? 0)
    } else {
      this.#askTopicQuestion(reply, options.topic ?? memory.topic ?? 'self_and_family', true)
    }
    return [...reply.stream()]
  }

  #lessonTurn(reply: Reply, context: TutorTurnContext, lesson: LessonScript): void {
    const { memory } = reply
    const position = context.stepPosition ?? 0
    const step = lesson.steps[position]
    if (!step) {
      this.#finishLesson(reply, lesson)
      return
    }
    const text = context.answer.text
    const words = wordsOf(text)
    const answersStep = usedPhrases(text, step.hints.map((hint) => ({ text: hint, gloss: '' }))).length > 0

    if (words.length === 0 || (asksForHelp(text) && !answersStep)) {
      memory.stepAttempts += 1
      if (memory.stepAttempts >= 3) {
        this.#advance(reply, lesson, position)
        return
      }
      this.#nudge(reply, step.hints[(memory.stepAttempts - 1) % Math.max(step.hints.length, 1)])
      return
    }
    if (asksToRepeat(text) && !answersStep) {
      reply.say(memory.lastQuestion ?? step.tutorPrompt)
      return
    }
    if (words.length < shortAnswerWords[context.learner.level] && memory.stepAttempts === 0 && !answersStep) {
      memory.stepAttempts += 1
      // Beginners get a model answer to build on; from B1 an invitation to say more is enough.
      const beginner = context.learner.level === 'A1' || context.learner.level === 'A2'
      if (beginner) this.#nudge(reply, step.hints[0])
      else reply.say(reply.pick(reply.bank.askForMore))
      return
    }

    // When the step's task is to ask questions, the learner's questions are the answer, not questions to the tutor.
    const taskIsAsking = step.hints.some((hint) => hint.trim().endsWith('?'))
    this.#react(reply, context, lesson, !taskIsAsking)
    if (step.followUpQuestions.length > 0 && !memory.followUpAsked) {
      memory.followUpAsked = true
      memory.stepAttempts = 0
      const question = step.followUpQuestions[memory.cursor % step.followUpQuestions.length]!
      memory.lastQuestion = question
      reply.say(question)
      return
    }
    this.#advance(reply, lesson, position)
  }

  /** A model answer to start from when there is one; without hints, no made-up model answer, just encouragement. */
  #nudge(reply: Reply, hint: string | undefined): void {
    reply.say(hint ? reply.pick(reply.bank.emptyAnswer, { hint }) : reply.pick(reply.bank.askForMore))
  }

  #freeTurn(reply: Reply, context: TutorTurnContext): void {
    const { memory } = reply
    const text = context.answer.text
    const words = wordsOf(text)
    const topic = context.topic ?? memory.topic ?? 'self_and_family'
    memory.topic = topic

    if (memory.lastQuestion === null) {
      // Nothing asked yet (the learner spoke first): react, then open the topic.
      if (words.length > 0) this.#react(reply, context, null)
      this.#askTopicQuestion(reply, this.#topicIn(text) ?? topic, true)
      return
    }
    if (words.length === 0 || asksForHelp(text)) {
      reply.say(reply.pick(reply.bank.emptyAnswer, { hint: 'Jeg …' }))
      reply.say(memory.lastQuestion)
      return
    }
    if (asksToRepeat(text)) {
      reply.say(memory.lastQuestion)
      return
    }
    if (words.length < shortAnswerWords[context.learner.level] && !memory.askedForMore && !isQuestion(text)) {
      memory.askedForMore = true
      reply.say(reply.pick(reply.bank.askForMore))
      return
    }
    this.#react(reply, context, null)
    const mentioned = this.#topicIn(text)
    if (mentioned && mentioned !== topic) {
      this.#askTopicQuestion(reply, mentioned, true)
      return
    }
    this.#askTopicQuestion(reply, topic, false)
  }

  /** Neutral acknowledgement or praise for a lesson phrase, corrections by the learner's style, and honesty about questions. */
  #react(reply: Reply, context: TutorTurnContext, lesson: LessonScript | null, questionsAreForTheTutor = true): void {
    const text = context.answer.text
    const style = context.learner.correctionStyle
    const [correction] = context.corrections
    if (correction && style === 'immediate') reply.say(recast(correction))
    // A whole phrase reads better in praise than a frame with its gap cut off ("Jeg heter …").
    const phrases = lesson ? usedPhrases(text, lesson.phrases).sort((a, b) => Number(hasGap(a)) - Number(hasGap(b))) : []
    const phrase = lesson ? (phrases[0] ?? usedVocabulary(text, lesson.vocabulary)[0]) : undefined
    reply.say(phrase ? reply.pick(reply.bank.praiseForPhrase, { phrase: phrase.replace(/\s*(…|\.\.\.)\s*$/, '') }) : reply.pick(reply.bank.acknowledgements))
    if (correction && style === 'end_of_turn') reply.say(tip(correction))
    if (questionsAreForTheTutor && isQuestion(text)) reply.say(reply.pick(reply.bank.cannotAnswer))
  }

  #presentStep(reply: Reply, lesson: LessonScript, position: number): void {
    const step = lesson.steps[position]
    if (!step) return
    const { memory } = reply
    memory.stepAttempts = 0
    memory.followUpAsked = false
    memory.lastQuestion = step.tutorPrompt
    reply.say(step.tutorPrompt)
    if (step.pictureSlug) {
      const picture = this.pictures(step.pictureSlug)
      if (picture) reply.emit({ type: 'visual', aid: { kind: 'picture', slug: step.pictureSlug, ...picture } })
    }
  }

  #advance(reply: Reply, lesson: LessonScript, position: number): void {
    const next = position + 1
    if (next >= lesson.steps.length) {
      this.#finishLesson(reply, lesson)
      return
    }
    reply.say(reply.pick(reply.bank.transitions))
    reply.emit({ type: 'state', change: { kind: 'step', lessonId: lesson.id, position: next, total: lesson.steps.length } })
    this.#presentStep(reply, lesson, next)
  }

  #finishLesson(reply: Reply, lesson: LessonScript): void {
    reply.memory.lastQuestion = null
    reply.memory.stepAttempts = 0
    reply.memory.followUpAsked = false
    reply.say(reply.pick(reply.bank.lessonComplete, { lesson: lesson.title }))
    reply.emit({ type: 'state', change: { kind: 'lesson_complete', lessonId: lesson.id } })
  }

  /** Asks the next question of a topic not asked before; a topic whose questions are used up gives way to the next. */
  #askTopicQuestion(reply: Reply, topic: LessonTopic, introduce: boolean): void {
    const { memory } = reply
    let current = topic
    let index = -1
    for (let tried = 0; tried < lessonTopics.length && index < 0; tried += 1) {
      const questions = reply.bank.topics[current] ?? []
      index = questions.findIndex((_, i) => !memory.asked.includes(`${current}:${i}`))
      if (index < 0) {
        current = lessonTopics[(lessonTopics.indexOf(current) + 1) % lessonTopics.length]!
        introduce = true
      }
    }
    if (index < 0) {
      // Every question of every topic asked: start over.
      memory.asked = []
      index = 0
      current = topic
    }
    if (current !== memory.topic || introduce) {
      if (current !== memory.topic) reply.emit({ type: 'state', change: { kind: 'topic', topic: current } })
      reply.say(reply.pick(reply.bank.topicIntro, { topic: this.bank.topics[current]?.name ?? current }))
    } else {
      reply.say(reply.pick(reply.bank.transitions))
    }
    const question = reply.bank.topics[current]![index]!
    memory.topic = current
    memory.lastQuestion = question
    memory.askedForMore = false
    memory.asked = [...memory.asked, `${current}:${index}`].slice(-MAX_REMEMBERED_QUESTIONS)
    reply.say(question)
  }

  /** A topic the learner's words point to: the one with the most keyword hits, if any. */
  #topicIn(text: string): LessonTopic | null {
    const words = wordsOf(text)
    let best: LessonTopic | null = null
    let bestHits = 0
    for (const topic of lessonTopics) {
      const keywords = this.bank.topics[topic]?.keywords ?? []
      const hits = words.filter((word) => keywords.some((keyword) => keywordMatches(word, keyword.toLowerCase()))).length
      if (hits > bestHits) {
        best = topic
        bestHits = hits
      }
    }
    return best
  }
}

function hasGap(phrase: string): boolean {
  return /…|\.\.\./.test(phrase)
}

/** Stems of three letters or fewer ("nav", "jul") match whole words only, so "nav" never matches "navn". */
function keywordMatches(word: string, keyword: string): boolean {
  return keyword.length <= 3 ? word === keyword : word.startsWith(keyword)
}

function wordListAid(lesson: LessonScript): VisualAid {
  return { kind: 'word_list', title: lesson.title, items: lesson.vocabulary.map(({ term, gloss }) => ({ term, gloss })) }
}

function phraseTableAid(lesson: LessonScript): VisualAid {
  return { kind: 'table', title: lesson.title, columns: ['Norsk', 'English'], rows: lesson.phrases.map((phrase) => [phrase.text, phrase.gloss]) }
}

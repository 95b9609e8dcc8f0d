import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { cefrLevels, examLevels, skills, type CefrLevel } from '../../core/db/schema/index.js'
import {
  conversationLevelFileSchema,
  conversationTopicsFileSchema,
  examTemplateFileSchema,
  lessonTopics,
  lessonsFileSchema,
  objectivesFileSchema,
  partnerFileSchema,
  picturesFileSchema,
  type ConversationLevelFile,
  type ConversationTopicsFile,
  type ExamTemplateFile,
  type LessonsFile,
  type ObjectivesFile,
  type PackPicture,
  type PartnerFile,
} from './content-schema.js'

/** `app/backend/content/nb`, from both `src/features/curriculum` and `dist/features/curriculum`. */
export const defaultContentDir = fileURLToPath(new URL('../../../content/nb', import.meta.url))

export interface WordListEntry {
  rank: number
  lemma: string
  pos: string
  cefr: string
  gloss: string
}

export interface ContentPack {
  dir: string
  objectives: ObjectivesFile[]
  lessons: LessonsFile[]
  exams: ExamTemplateFile[]
  pictures: PackPicture[]
  wordList: WordListEntry[]
  /** What the offline tutor says, per level, and the conversation topics it recognises. */
  conversation: { levels: ConversationLevelFile[]; topics: ConversationTopicsFile }
  /** The scripted co-candidate's lines for each template's pair part. */
  partners: PartnerFile[]
}

/** Minimum prompt-bank sizes per exam template, so two attempts rarely repeat. */
export const minimumBankSizes = { selfPresentationFollowUps: 20, pictureTasks: 12, conversationTopics: 15, monologueTopics: 15 }

export class ContentPackError extends Error {
  constructor(readonly problems: string[]) {
    super(`The content pack is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ContentPackError'
  }
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => path.join(dir, name))
}

function parseFile<T extends z.ZodType>(file: string, schema: T, root: string, problems: string[]): z.output<T> | undefined {
  const relative = path.relative(root, file)
  let data: unknown
  try {
    data = parseYaml(readFileSync(file, 'utf8'))
  } catch (error) {
    problems.push(`${relative}: not valid YAML: ${(error as Error).message.split('\n')[0]}`)
    return undefined
  }
  const result = schema.safeParse(data)
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${relative}: ${issue.path.join('.') || '(file)'}: ${issue.message}`)
    return undefined
  }
  return result.data
}

const svgParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })

/** Problems with one SVG illustration: well-formed XML, an <svg> root with a viewBox, a title, nothing active or external. */
export function svgProblems(source: string): string[] {
  const problems: string[] = []
  const valid = XMLValidator.validate(source)
  if (valid !== true) return [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`]
  const document = svgParser.parse(source) as Record<string, unknown>
  const svg = document.svg as Record<string, unknown> | undefined
  if (!svg) return ['the root element is not <svg>']
  if (svg.xmlns !== 'http://www.w3.org/2000/svg') problems.push('missing xmlns="http://www.w3.org/2000/svg"')
  if (typeof svg.viewBox !== 'string') problems.push('missing viewBox')
  if (!('title' in svg)) problems.push('missing <title> (accessible name)')
  if (/<script|\bon[a-z]+\s*=|<foreignObject/i.test(source)) problems.push('contains scripts, event handlers or foreignObject')
  if (/(?:href|src)\s*=\s*["'](?!#)/i.test(source)) problems.push('references an external resource')
  return problems
}

function readWordList(file: string, root: string, problems: string[]): WordListEntry[] {
  const relative = path.relative(root, file)
  if (!existsSync(file)) {
    problems.push(`${relative}: missing`)
    return []
  }
  const lines = readFileSync(file, 'utf8').split('\n')
  if (!lines.some((line) => /^#\s*source:/i.test(line))) problems.push(`${relative}: the header must say where the ranks come from ("# source: …")`)
  const rows = lines.filter((line) => line.trim() && !line.startsWith('#'))
  const [header, ...body] = rows
  if (header !== 'rank\tlemma\tpos\tcefr\tgloss') problems.push(`${relative}: the first row must be the header "rank<TAB>lemma<TAB>pos<TAB>cefr<TAB>gloss"`)
  const entries: WordListEntry[] = []
  const seen = new Set<string>()
  body.forEach((line, index) => {
    const [rank, lemma, pos, cefr, gloss] = line.split('\t')
    const where = `${relative}: row ${index + 1}`
    if (Number(rank) !== index + 1) problems.push(`${where}: rank ${rank} should be ${index + 1}`)
    if (!lemma || !pos || !gloss) problems.push(`${where}: lemma, pos and gloss are required`)
    if (!cefr || !(cefrLevels as readonly string[]).includes(cefr)) problems.push(`${where}: cefr must be one of ${cefrLevels.join(', ')}`)
    const key = `${lemma}\t${pos}`
    if (seen.has(key)) problems.push(`${where}: duplicate ${lemma} (${pos})`)
    seen.add(key)
    entries.push({ rank: Number(rank), lemma: lemma ?? '', pos: pos ?? '', cefr: cefr ?? '', gloss: gloss ?? '' })
  })
  if (entries.length < 2000) problems.push(`${relative}: ${entries.length} words; at least 2000 are needed`)
  return entries
}

/** The pack's pictures, as served by the API. */
export interface PictureCatalog {
  dir: string
  pictures: PackPicture[]
}

/** Reads only the picture index (cheap), for a pack already validated and loaded. */
export function readPictureCatalog(dir: string = defaultContentDir): PictureCatalog {
  const problems: string[] = []
  const index = parseFile(path.join(dir, 'pictures', 'index.yaml'), picturesFileSchema, dir, problems)
  if (!index) throw new ContentPackError(problems)
  return { dir, pictures: index.pictures }
}

/** Reads and checks the whole pack. Throws one ContentPackError naming file, path and problem for each. */
export function readContentPack(dir: string = defaultContentDir): ContentPack {
  const problems: string[] = []
  const objectives = yamlFiles(path.join(dir, 'objectives')).flatMap((file) => parseFile(file, objectivesFileSchema, dir, problems) ?? [])
  const lessons = yamlFiles(path.join(dir, 'lessons')).flatMap((file) => parseFile(file, lessonsFileSchema, dir, problems) ?? [])
  const exams = yamlFiles(path.join(dir, 'exams')).flatMap((file) => parseFile(file, examTemplateFileSchema, dir, problems) ?? [])
  const pictureIndex = path.join(dir, 'pictures', 'index.yaml')
  const pictures = existsSync(pictureIndex) ? (parseFile(pictureIndex, picturesFileSchema, dir, problems)?.pictures ?? []) : []
  if (!existsSync(pictureIndex)) problems.push('pictures/index.yaml: missing')
  const wordList = readWordList(path.join(dir, 'wordlist', 'frequency.tsv'), dir, problems)
  const conversation = readConversationFiles(dir, problems)
  const partners = readPartnerFiles(dir, problems)

  // Objectives: every level × skill has at least four, slugs unique.
  const objectiveLevel = new Map<string, string>()
  for (const file of objectives) {
    for (const objective of file.objectives) {
      if (objectiveLevel.has(objective.slug)) problems.push(`objectives: duplicate slug ${objective.slug}`)
      objectiveLevel.set(objective.slug, file.level)
    }
  }
  for (const level of cefrLevels) {
    for (const skill of skills) {
      const count = objectives.filter((file) => file.level === level).flatMap((file) => file.objectives).filter((o) => o.skill === skill).length
      if (count < 4) problems.push(`objectives: ${level} ${skill} has ${count} objectives; at least 4 are needed`)
    }
  }

  // Pictures: files exist and are safe, valid SVG.
  const pictureSlugs = new Set<string>()
  for (const picture of pictures) {
    if (pictureSlugs.has(picture.slug)) problems.push(`pictures/index.yaml: duplicate slug ${picture.slug}`)
    pictureSlugs.add(picture.slug)
    const file = path.join(dir, 'pictures', picture.file)
    if (!existsSync(file)) {
      problems.push(`pictures/${picture.file}: missing (referenced by ${picture.slug})`)
      continue
    }
    for (const problem of svgProblems(readFileSync(file, 'utf8'))) problems.push(`pictures/${picture.file}: ${problem}`)
  }

  // Lessons: at least 12 per level, unique slugs, objectives of the same level, pictures that exist.
  const lessonSlugs = new Set<string>()
  const topicsCovered = new Set<string>()
  for (const level of cefrLevels) {
    const count = lessons.filter((file) => file.level === level).reduce((sum, file) => sum + file.lessons.length, 0)
    if (count < 12) problems.push(`lessons: ${level} has ${count} lessons; at least 12 are needed`)
  }
  for (const file of lessons) {
    for (const lesson of file.lessons) {
      const where = `lessons/${file.level.toLowerCase()}: ${lesson.slug}`
      if (lessonSlugs.has(lesson.slug)) problems.push(`${where}: duplicate slug`)
      lessonSlugs.add(lesson.slug)
      topicsCovered.add(lesson.topic)
      for (const slug of lesson.objectives) {
        const level = objectiveLevel.get(slug)
        if (!level) problems.push(`${where}: objective ${slug} does not exist`)
        else if (level !== file.level) problems.push(`${where}: objective ${slug} is ${level}, the lesson is ${file.level}`)
      }
      lesson.scenario.steps.forEach((step, index) => {
        if (step.picture && !pictureSlugs.has(step.picture)) problems.push(`${where}: step ${index + 1} picture ${step.picture} does not exist`)
      })
    }
  }
  for (const topic of lessonTopics) if (!topicsCovered.has(topic)) problems.push(`lessons: no lesson covers the topic ${topic}`)

  // Exams: one template per test level, pictures exist, banks large enough.
  for (const level of examLevels) {
    if (!exams.some((exam) => exam.level === level)) problems.push(`exams: no template for ${level}`)
  }
  for (const exam of exams) {
    const where = `exams: ${exam.slug}`
    const prompts = exam.parts.flatMap((part) => part.promptBank.map((prompt) => ({ part, prompt })))
    for (const { part, prompt } of prompts) {
      if (prompt.picture && !pictureSlugs.has(prompt.picture)) problems.push(`${where}: ${part.slug}.${prompt.id} picture ${prompt.picture} does not exist`)
    }
    for (const part of exam.parts) {
      const ids = part.promptBank.map((prompt) => prompt.id)
      if (new Set(ids).size !== ids.length) problems.push(`${where}: ${part.slug} has duplicate prompt ids`)
    }
    const sizes = {
      selfPresentationFollowUps: exam.parts
        .filter((part) => part.taskType === 'warm_up' || part.taskType === 'self_presentation')
        .reduce((sum, part) => sum + part.followUpQuestions.length + part.promptBank.length, 0),
      pictureTasks: prompts.filter(({ prompt }) => prompt.picture).length,
      conversationTopics: prompts.filter(({ part }) => part.taskType === 'conversation' || part.taskType === 'exchange_views').length,
      monologueTopics: prompts.filter(
        ({ part, prompt }) => !prompt.picture && (part.taskType === 'monologue' || part.taskType === 'opinion' || part.taskType === 'argue_statement'),
      ).length,
    }
    for (const [bank, minimum] of Object.entries(minimumBankSizes)) {
      const size = sizes[bank as keyof typeof sizes]
      if (size < minimum) problems.push(`${where}: ${bank} has ${size}; at least ${minimum} are needed`)
    }
  }

  // Co-candidate lines: every pair part has them, for every prompt, at both levels of its test.
  for (const exam of exams) {
    const [lower, upper] = exam.level.split('-') as [CefrLevel, CefrLevel]
    for (const part of exam.parts.filter((candidate) => candidate.mode === 'pair')) {
      const where = `exams/partners: ${exam.slug} ${part.slug}`
      const file = partners.find((candidate) => candidate.template === exam.slug && candidate.part === part.slug)
      if (!file) {
        problems.push(`${where}: no co-candidate lines`)
        continue
      }
      for (const prompt of part.promptBank) {
        const lines = file.prompts[prompt.id]
        if (!lines) problems.push(`${where}: prompt ${prompt.id} has no lines`)
        else for (const level of [lower, upper]) if (!lines[level]) problems.push(`${where}: prompt ${prompt.id} has no ${level} lines`)
      }
      for (const id of Object.keys(file.prompts)) {
        if (!part.promptBank.some((prompt) => prompt.id === id)) problems.push(`${where}: lines for ${id}, which is not a prompt of the part`)
      }
    }
  }
  for (const file of partners) {
    if (!exams.some((exam) => exam.slug === file.template && exam.parts.some((part) => part.slug === file.part && part.mode === 'pair'))) {
      problems.push(`exams/partners: ${file.template} ${file.part} is not a pair part of a template`)
    }
  }

  if (problems.length > 0) throw new ContentPackError(problems)
  return { dir, objectives, lessons, exams, pictures, wordList, conversation, partners }
}

function readPartnerFiles(dir: string, problems: string[]): PartnerFile[] {
  return yamlFiles(path.join(dir, 'exams', 'partners')).flatMap((file) => parseFile(file, partnerFileSchema, dir, problems) ?? [])
}

/** Co-candidate lines by template slug, then prompt id, then level. */
export type PartnerBank = Record<string, PartnerFile['prompts']>

/** Reads only the co-candidate files (cheap), for a pack already validated and loaded. */
export function readPartnerBank(dir: string = defaultContentDir): PartnerBank {
  const problems: string[] = []
  const files = readPartnerFiles(dir, problems)
  if (problems.length > 0) throw new ContentPackError(problems)
  return Object.fromEntries(files.map((file) => [file.template, file.prompts]))
}

/** `tutor/topics.yaml` and one `tutor/<level>.yaml` per CEFR level. */
function readConversationFiles(dir: string, problems: string[]): ContentPack['conversation'] {
  const tutorDir = path.join(dir, 'tutor')
  const topicsFile = path.join(tutorDir, 'topics.yaml')
  const topics = existsSync(topicsFile) ? parseFile(topicsFile, conversationTopicsFileSchema, dir, problems) : undefined
  if (!existsSync(topicsFile)) problems.push('tutor/topics.yaml: missing')
  const levels: ConversationLevelFile[] = []
  for (const level of cefrLevels) {
    const file = path.join(tutorDir, `${level.toLowerCase()}.yaml`)
    if (!existsSync(file)) {
      problems.push(`tutor/${level.toLowerCase()}.yaml: missing`)
      continue
    }
    const parsed = parseFile(file, conversationLevelFileSchema, dir, problems)
    if (parsed && parsed.level !== level) problems.push(`tutor/${level.toLowerCase()}.yaml: level is ${parsed.level}, expected ${level}`)
    if (parsed) levels.push(parsed)
  }
  return { levels, topics: topics ?? { topics: {} as ConversationTopicsFile['topics'] } }
}

/** What the offline tutor says, by level, and the topics it recognises. */
export interface ConversationBank {
  levels: Record<CefrLevel, ConversationLevelFile>
  topics: ConversationTopicsFile['topics']
}

/** Reads only the tutor's conversation files (cheap), for a pack already validated and loaded. */
export function readConversationBank(dir: string = defaultContentDir): ConversationBank {
  const problems: string[] = []
  const files = readConversationFiles(dir, problems)
  if (problems.length > 0) throw new ContentPackError(problems)
  const levels = Object.fromEntries(files.levels.map((file) => [file.level, file])) as Record<CefrLevel, ConversationLevelFile>
  return { levels, topics: files.topics.topics }
}

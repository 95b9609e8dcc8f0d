import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { cefrLevels, skills } from '../../core/db/schema/index.js'
import { temporaryDirectory } from '../../test/harness.js'
import { ContentPackError, defaultContentDir, minimumBankSizes, readContentPack, svgProblems } from './content-pack.js'
import { lessonTopics } from './content-schema.js'

const pack = readContentPack()
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

function brokenCopy(mutate: (dir: string) => void): ContentPackError {
  const copy = temporaryDirectory('avaaz-pack-')
  cleanups.push(copy.cleanup)
  cpSync(defaultContentDir, copy.path, { recursive: true })
  mutate(copy.path)
  try {
    readContentPack(copy.path)
  } catch (error) {
    if (error instanceof ContentPackError) return error
    throw error
  }
  throw new Error('the broken pack was accepted')
}

describe('the Norwegian content pack', () => {
  it('has at least four objectives for every level and skill, in English and Norwegian', () => {
    for (const level of cefrLevels) {
      for (const skill of skills) {
        const cell = pack.objectives.filter((file) => file.level === level).flatMap((file) => file.objectives).filter((o) => o.skill === skill)
        expect(cell.length, `${level} ${skill}`).toBeGreaterThanOrEqual(4)
        for (const objective of cell) expect(objective.descriptorNb).not.toBe(objective.descriptorEn)
      }
    }
  })

  it('has at least twelve lessons per level, covering every daily-life topic', () => {
    for (const level of cefrLevels) {
      const count = pack.lessons.filter((file) => file.level === level).reduce((sum, file) => sum + file.lessons.length, 0)
      expect(count, level).toBeGreaterThanOrEqual(12)
    }
    const topics = new Set(pack.lessons.flatMap((file) => file.lessons.map((lesson) => lesson.topic)))
    expect([...topics].sort()).toEqual([...lessonTopics].sort())
  })

  it('links every lesson to existing objectives of its own level and every step to existing pictures', () => {
    const objectives = new Map(pack.objectives.flatMap((file) => file.objectives.map((o) => [o.slug, file.level] as const)))
    const pictures = new Set(pack.pictures.map((picture) => picture.slug))
    for (const file of pack.lessons) {
      for (const lesson of file.lessons) {
        for (const slug of lesson.objectives) expect(objectives.get(slug), `${lesson.slug} → ${slug}`).toBe(file.level)
        for (const step of lesson.scenario.steps) if (step.picture) expect(pictures.has(step.picture), `${lesson.slug} → ${step.picture}`).toBe(true)
      }
    }
  })

  it('has the three exam templates with prompt banks large enough that attempts rarely repeat', () => {
    expect(pack.exams.map((exam) => exam.level).sort()).toEqual(['A1-A2', 'A2-B1', 'B1-B2'])
    for (const exam of pack.exams) {
      const prompts = exam.parts.flatMap((part) => part.promptBank.map((prompt) => ({ part, prompt })))
      const followUps = exam.parts
        .filter((part) => part.taskType === 'warm_up' || part.taskType === 'self_presentation')
        .reduce((sum, part) => sum + part.followUpQuestions.length + part.promptBank.length, 0)
      expect(followUps, `${exam.slug} self-presentation follow-ups`).toBeGreaterThanOrEqual(minimumBankSizes.selfPresentationFollowUps)
      expect(prompts.filter(({ prompt }) => prompt.picture).length, `${exam.slug} picture tasks`).toBeGreaterThanOrEqual(minimumBankSizes.pictureTasks)
      const conversation = prompts.filter(({ part }) => part.taskType === 'conversation' || part.taskType === 'exchange_views')
      expect(conversation.length, `${exam.slug} conversation topics`).toBeGreaterThanOrEqual(minimumBankSizes.conversationTopics)
      expect(exam.parts.some((part) => part.mode === 'pair'), `${exam.slug} pair task`).toBe(true)
      expect(exam.parts.filter((part) => part.scored).every((part) => part.criteria.length > 0)).toBe(true)
      expect(exam.parts.some((part) => part.extraQuestion), `${exam.slug} extra question from the level above`).toBe(true)
    }
  })

  it('has at least twelve valid, safe SVG pictures with alt text and vocabulary', () => {
    expect(pack.pictures.length).toBeGreaterThanOrEqual(12)
    for (const picture of pack.pictures) {
      const svg = readFileSync(path.join(defaultContentDir, 'pictures', picture.file), 'utf8')
      expect(svgProblems(svg), picture.file).toEqual([])
      expect(picture.altEn.length).toBeGreaterThan(20)
      expect(picture.vocabulary.length).toBeGreaterThanOrEqual(8)
    }
  })

  it('has a frequency word list of at least 2000 lemmas whose header says where the ranks come from', () => {
    expect(pack.wordList.length).toBeGreaterThanOrEqual(2000)
    expect(pack.wordList.slice(0, 3).map((entry) => entry.rank)).toEqual([1, 2, 3])
    const header = readFileSync(path.join(defaultContentDir, 'wordlist', 'frequency.tsv'), 'utf8')
    expect(header).toMatch(/^# source: /m)
  })
})

describe('a broken pack', () => {
  it('is refused with the file, the path and the problem', () => {
    const error = brokenCopy((dir) => {
      const file = path.join(dir, 'lessons', 'a2.yaml')
      const data = parse(readFileSync(file, 'utf8'))
      data.lessons[0].estimatedMinutes = 'ten'
      delete data.lessons[1].scenario
      writeFileSync(file, stringify(data))
    })
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lessons\/a2\.yaml: lessons\.0\.estimatedMinutes: /),
        expect.stringMatching(/^lessons\/a2\.yaml: lessons\.1\.scenario: /),
      ]),
    )
  })

  it('is refused when a lesson refers to an objective or picture that does not exist', () => {
    const error = brokenCopy((dir) => {
      const file = path.join(dir, 'lessons', 'b1.yaml')
      const data = parse(readFileSync(file, 'utf8'))
      data.lessons[0].objectives = ['b1-production-999']
      data.lessons[0].scenario.steps[0].picture = 'no-such-picture'
      writeFileSync(file, stringify(data))
    })
    const slug = parse(readFileSync(path.join(defaultContentDir, 'lessons', 'b1.yaml'), 'utf8')).lessons[0].slug
    expect(error.problems).toEqual(
      expect.arrayContaining([`lessons/b1: ${slug}: objective b1-production-999 does not exist`, `lessons/b1: ${slug}: step 1 picture no-such-picture does not exist`]),
    )
  })

  it('is refused when YAML is malformed or a picture is not safe SVG', () => {
    const error = brokenCopy((dir) => {
      writeFileSync(path.join(dir, 'objectives', 'a1.yaml'), 'level: A1\nobjectives: [unclosed\n')
      const picture = path.join(dir, 'pictures', pack.pictures[0]!.file)
      writeFileSync(picture, readFileSync(picture, 'utf8').replace('</svg>', '<script>alert(1)</script></svg>'))
    })
    expect(error.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^objectives\/a1\.yaml: not valid YAML/), `pictures/${pack.pictures[0]!.file}: contains scripts, event handlers or foreignObject`]),
    )
  })
})

describe('svgProblems', () => {
  it.each([
    ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>t</title></svg>', []],
    ['<svg viewBox="0 0 10 10"><title>t</title></svg>', ['missing xmlns="http://www.w3.org/2000/svg"']],
    ['<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>', ['missing viewBox']],
    ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>', ['missing <title> (accessible name)']],
    ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>t</title><image href="https://x.test/a.png"/></svg>', ['references an external resource']],
    ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>t</title><rect onclick="x()"/></svg>', ['contains scripts, event handlers or foreignObject']],
    ['<svg><title>t</svg>', [expect.stringMatching(/^not well-formed XML/)]],
    ['<html xmlns="http://www.w3.org/2000/svg"></html>', ['the root element is not <svg>']],
  ])('%s', (source, problems) => {
    expect(svgProblems(source)).toEqual(problems)
  })
})

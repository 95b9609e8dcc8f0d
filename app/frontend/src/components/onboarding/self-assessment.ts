import type { components } from '@/lib/api/schema'
import { cefrLevels, type CefrLevel, type ExamGoal } from '@/components/settings/save-profile'

type Objective = components['schemas']['Objective']

export const DESCRIPTORS_PER_LEVEL = 3

/**
 * The can-do statements asked about for a level: speaking is what the oral test measures, so one
 * production and two interaction objectives (the pack lists them easiest first), topped up from the
 * rest if a pack has fewer.
 */
export function pickDescriptors(objectives: readonly Objective[]): Objective[] {
  const bySkill = (skill: Objective['skill']) => objectives.filter((objective) => objective.skill === skill)
  const picked = [bySkill('production')[0], ...bySkill('interaction').slice(0, 2)].filter((objective): objective is Objective => objective !== undefined)
  for (const objective of objectives) {
    if (picked.length >= DESCRIPTORS_PER_LEVEL) break
    if (!picked.includes(objective)) picked.push(objective)
  }
  return picked.slice(0, DESCRIPTORS_PER_LEVEL)
}

/** A level counts as reached when the learner can do at least two thirds of what was asked. */
function reached(ticked: number, asked: number): boolean {
  return asked > 0 && ticked * 3 >= asked * 2
}

/**
 * The level to work at: the one after the highest level reached without gaps from A1 (B2 stays B2).
 * Someone who reaches nothing starts at A1.
 */
export function suggestLevel(answers: Record<CefrLevel, { ticked: number; asked: number }>): { level: CefrLevel; reachedLevel: CefrLevel | null } {
  let highest = -1
  for (const [index, level] of cefrLevels.entries()) {
    if (!reached(answers[level].ticked, answers[level].asked)) break
    highest = index
  }
  const level = cefrLevels[Math.min(highest + 1, cefrLevels.length - 1)]!
  return { level, reachedLevel: highest >= 0 ? cefrLevels[highest]! : null }
}

/**
 * The oral test that fits a level: each test measures a pair, so a learner working at A1 or A2
 * takes A1–A2, at B1 A2–B1, at B2 B1–B2.
 */
export function examForLevel(level: CefrLevel): ExamGoal {
  return level === 'B2' ? 'B1-B2' : level === 'B1' ? 'A2-B1' : 'A1-A2'
}

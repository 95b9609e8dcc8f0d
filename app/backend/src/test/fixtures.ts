import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '../core/db/client.js'
import {
  curriculumObjectives,
  documentChunks,
  examAttempts,
  examParts,
  examScores,
  examTemplates,
  lessonDocuments,
  lessonObjectives,
  lessonProgress,
  lessons,
  paymentEvents,
  programAssignments,
  programMemberships,
  programs,
  progressSnapshots,
  scenarioSteps,
  scenarios,
  sittings,
  subscriptions,
  turns,
  tutorSessions,
  uploadDocuments,
} from '../core/db/schema/index.js'

/** Small factories for database tests: shared pack content, and a user's personal rows of every kind. */

export interface PackFixture {
  objectiveId: string
  lessonId: string
  templateId: string
  partId: string
}

/** Pack content no user owns: an objective, a lesson, an exam template with one part. */
export async function seedPackContent(db: Db, suffix = randomUUID().slice(0, 8)): Promise<PackFixture> {
  const [objective] = await db
    .insert(curriculumObjectives)
    .values({
      slug: `a2-interaction-everyday-${suffix}`,
      level: 'A2',
      skill: 'interaction',
      descriptorEn: 'Can handle short social exchanges.',
      descriptorNb: 'Kan delta i korte samtaler.',
    })
    .returning()
  const [lesson] = await db
    .insert(lessons)
    .values({ slug: `a2-at-the-doctor-${suffix}`, level: 'A2', source: 'pack', status: 'published', title: 'Hos legen' })
    .returning()
  const [template] = await db
    .insert(examTemplates)
    .values({ slug: `a2-b1-${suffix}`, level: 'A2-B1', title: 'Muntlig prøve A2–B1', totalMinutes: 25 })
    .returning()
  const [part] = await db
    .insert(examParts)
    .values({
      templateId: template!.id,
      position: 1,
      slug: 'opinion',
      title: 'Si din mening',
      taskType: 'opinion',
      speakingSeconds: 180,
      instructionsEn: 'Give your opinion and justify it.',
      instructionsNb: 'Si hva du mener, og begrunn det.',
      criteria: ['task_completion', 'fluency', 'vocabulary', 'grammar', 'coherence'],
      promptBank: [{ id: 'p1', text: 'Er det bedre å bo i byen eller på landet?' }],
    })
    .returning()
  return { objectiveId: objective!.id, lessonId: lesson!.id, templateId: template!.id, partId: part!.id }
}

/** One row of every personal kind for a user (own lesson, document, session, sitting, turn, attempt, scores, …). */
export async function seedPersonalData(db: Db, userId: string, pack: PackFixture) {
  const [document] = await db
    .insert(uploadDocuments)
    .values({
      ownerId: userId,
      kind: 'document',
      scope: 'learner',
      originalFilename: 'brev.pdf',
      storageKey: `uploads/${randomUUID()}`,
      mimeType: 'application/pdf',
      sizeBytes: 1234,
      sha256: 'a'.repeat(64),
    })
    .returning()
  const [chunk] = await db
    .insert(documentChunks)
    .values({ documentId: document!.id, position: 0, content: 'Jeg har time hos legen i morgen.' })
    .returning()
  const [lesson] = await db
    .insert(lessons)
    .values({ level: 'A2', source: 'learner', title: 'Mitt brev', ownerId: userId, status: 'published' })
    .returning()
  await db.insert(lessonObjectives).values({ lessonId: lesson!.id, objectiveId: pack.objectiveId })
  await db.insert(lessonDocuments).values({ lessonId: lesson!.id, documentId: document!.id, purpose: 'source' })
  const [scenario] = await db
    .insert(scenarios)
    .values({ lessonId: lesson!.id, kind: 'role_play', title: 'Ring legekontoret', level: 'A2' })
    .returning()
  const [step] = await db
    .insert(scenarioSteps)
    .values({ scenarioId: scenario!.id, position: 0, tutorPrompt: 'Legekontoret, hva kan jeg hjelpe med?' })
    .returning()

  const [tutorSession] = await db
    .insert(tutorSessions)
    .values({ userId, mode: 'exam', currentLessonId: lesson!.id })
    .returning()
  const [sitting] = await db
    .insert(sittings)
    .values({ tutorSessionId: tutorSession!.id, userId, transport: 'websocket', mode: 'exam', lessonId: lesson!.id })
    .returning()
  const [attempt] = await db
    .insert(examAttempts)
    .values({
      userId,
      templateId: pack.templateId,
      level: 'A2-B1',
      tutorSessionId: tutorSession!.id,
      sittingId: sitting!.id,
      selectedPrompts: [{ partPosition: 1, partId: pack.partId, promptIds: ['p1'] }],
    })
    .returning()
  // close the circle: session and sitting point at the attempt that points back at them
  await db.update(tutorSessions).set({ currentExamAttemptId: attempt!.id }).where(eq(tutorSessions.id, tutorSession!.id))
  await db.update(sittings).set({ examAttemptId: attempt!.id }).where(eq(sittings.id, sitting!.id))
  const [turn] = await db
    .insert(turns)
    .values({
      tutorSessionId: tutorSession!.id,
      sittingId: sitting!.id,
      userId,
      examAttemptId: attempt!.id,
      examPartId: pack.partId,
      sequence: 0,
      role: 'learner',
      text: 'Jeg synes det er bedre å bo i byen.',
      corrections: [],
    })
    .returning()
  const scoreRows = await db
    .insert(examScores)
    .values([
      { attemptId: attempt!.id, examPartId: pack.partId, criterion: 'fluency', rater: 'measured', band: 'A2', score: 2.5 },
      { attemptId: attempt!.id, examPartId: null, criterion: 'overall', rater: 'measured', band: 'A2' },
    ])
    .returning()

  const [snapshot] = await db
    .insert(progressSnapshots)
    .values({ userId, period: 'day', periodStart: '2025-01-06', minutesSpoken: 12.5, turns: 40 })
    .returning()
  const [packProgress] = await db
    .insert(lessonProgress)
    .values({ userId, lessonId: pack.lessonId, status: 'in_progress' })
    .returning()
  const [program] = await db
    .insert(programs)
    .values({ name: 'Kveldskurs', ownerId: userId, joinCode: randomUUID() })
    .returning()
  const [membership] = await db
    .insert(programMemberships)
    .values({ programId: program!.id, userId, role: 'instructor' })
    .returning()
  const [assignment] = await db
    .insert(programAssignments)
    .values({ programId: program!.id, lessonId: pack.lessonId, assignedBy: userId })
    .returning()
  const [subscription] = await db
    .insert(subscriptions)
    .values({ userId, plan: 'pro', provider: 'stripe', providerSubscriptionId: `sub_${randomUUID()}`, programId: program!.id })
    .returning()
  const [paymentEvent] = await db
    .insert(paymentEvents)
    .values({ provider: 'stripe', providerEventId: `evt_${randomUUID()}`, type: 'invoice.paid', userId, payload: {} })
    .returning()

  return {
    users: [userId],
    upload_documents: [document!.id],
    document_chunks: [chunk!.id],
    lessons: [lesson!.id],
    scenarios: [scenario!.id],
    scenario_steps: [step!.id],
    tutor_sessions: [tutorSession!.id],
    sittings: [sitting!.id],
    turns: [turn!.id],
    exam_attempts: [attempt!.id],
    exam_scores: scoreRows.map((row) => row.id),
    progress_snapshots: [snapshot!.id],
    lesson_progress: [packProgress!.id],
    programs: [program!.id],
    program_memberships: [membership!.id],
    program_assignments: [assignment!.id],
    subscriptions: [subscription!.id],
    paymentEventId: paymentEvent!.id,
    programId: program!.id,
    lessonId: lesson!.id,
    documentId: document!.id,
  }
}

export type Seeded = Awaited<ReturnType<typeof seedPersonalData>>

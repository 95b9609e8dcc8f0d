import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { and, cosineDistance, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createTestDatabase, type TestDatabase } from '../../test/harness.js'
import { seedPackContent, seedPersonalData, type PackFixture, type Seeded } from '../../test/fixtures.js'
import type { Db } from './client.js'
import { applyMigrations } from './migrate.js'
import {
  EMBEDDING_DIMENSIONS,
  curriculumObjectives,
  defaultUserPreferences,
  documentChunks,
  examAttempts,
  examParts,
  examScores,
  examTemplates,
  lessonProgress,
  lessons,
  paymentEvents,
  programMemberships,
  programs,
  progressSnapshots,
  sittings,
  turns,
  tutorSessions,
  uploadDocuments,
  users,
} from './schema/index.js'

const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url))
const HOOK_TIMEOUT = { timeout: 60_000 }

// A migrated database of this file's own, over whichever driver the test project uses.
let testDatabase: TestDatabase
let db: Db

async function query<T>(text: string, values: unknown[] = []): Promise<{ rows: T[] }> {
  return (await testDatabase.database.executeSql(text, values)) as { rows: T[] }
}

/** Shared pack content (never owned by a user). */
let pack: PackFixture

beforeAll(async () => {
  testDatabase = await createTestDatabase()
  db = testDatabase.database.db

  pack = await seedPackContent(db)
}, HOOK_TIMEOUT.timeout)

afterAll(async () => {
  await testDatabase?.close()
}, HOOK_TIMEOUT.timeout)

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

async function createUser(overrides: Partial<typeof users.$inferInsert> = {}) {
  const id = overrides.id ?? `user_${randomUUID()}`
  const [user] = await db
    .insert(users)
    .values({ id, name: 'Test Learner', email: `${id}@example.test`, ...overrides })
    .returning()
  return user!
}

/** Postgres SQLSTATE of a failed query (drizzle wraps driver errors in `cause`). */
async function pgErrorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    const err = error as { code?: string; cause?: { code?: string } }
    return err.cause?.code ?? err.code
  }
  throw new Error('expected the query to fail')
}

/** A unit vector along `axis`, optionally nudged towards `nudgeAxis`. */
function axisVector(axis: number, nudgeAxis?: number, nudge = 0.1): number[] {
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0)
  v[axis] = 1
  if (nudgeAxis !== undefined) v[nudgeAxis] = nudge
  return v
}

/** Query plan as text, with sequential scans disabled so an applicable index must be chosen. */
async function planWithoutSeqScan(statement: { getSQL(): SQL }): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_seqscan = off`)
    const plan = (await tx.execute(sql`EXPLAIN ${statement.getSQL()}`)) as unknown as { rows: Array<{ 'QUERY PLAN': string }> }
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n')
  })
}

/**
 * Inserts one row of every personal kind for a learner: own lesson (with objective link, scenario, step
 * and document), upload + chunk, tutor session, sitting, turn, exam attempt with part and overall
 * scores, progress, lesson progress, a program they run with a membership and an assignment, a
 * subscription and a payment event. Returns the ids per table.
 */

const personalTables = [
  'users',
  'upload_documents',
  'document_chunks',
  'lessons',
  'scenarios',
  'scenario_steps',
  'tutor_sessions',
  'sittings',
  'turns',
  'exam_attempts',
  'exam_scores',
  'progress_snapshots',
  'lesson_progress',
  'programs',
  'program_memberships',
  'program_assignments',
  'subscriptions',
] as const satisfies readonly (keyof Seeded)[]

/** Number of the seeded rows still present, per table (including the link tables keyed by lesson). */
async function remainingRows(seeded: Seeded): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of personalTables) {
    const ids = seeded[table]
    const result = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${table}" WHERE id::text = ANY($1::text[])`,
      [ids],
    )
    counts[table] = result.rows[0]!.n
  }
  for (const table of ['lesson_objectives', 'lesson_documents']) {
    const result = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE lesson_id = $1`, [
      seeded.lessonId,
    ])
    counts[table] = result.rows[0]!.n
  }
  return counts
}

// ---------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------

describe('migrations', () => {
  it('are recorded once and re-running them is a no-op', async () => {
    await applyMigrations(testDatabase.database)
    const applied = await query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
    expect(applied.rows[0]!.n).toBe(journal.entries.length)
  })

  it('the extensions migration can run again on a database that already has them', async () => {
    const file = readFileSync(join(migrationsFolder, '0000_extensions.sql'), 'utf8')
    for (const statement of file.split('--> statement-breakpoint')) await query(statement)
    const config = await query<{ n: number }>("SELECT count(*)::int AS n FROM pg_ts_config WHERE cfgname = 'avaaz_nb'")
    expect(config.rows[0]!.n).toBe(1)
  })
})

describe('users', () => {
  it('get better-auth and profile defaults, including the typed preferences object', async () => {
    const user = await createUser()
    expect(user).toMatchObject({ role: 'learner', emailVerified: false, banned: false, locale: 'en' })
    expect(user.preferences).toEqual(defaultUserPreferences)
    expect(user.createdAt).toBeInstanceOf(Date)
  })

  it('reject a second account with the same email', async () => {
    const user = await createUser()
    expect(await pgErrorCode(createUser({ email: user.email }))).toBe('23505')
  })

  it('bump updated_at on update', async () => {
    const user = await createUser()
    const [updated] = await db.update(users).set({ name: 'Renamed' }).where(eq(users.id, user.id)).returning()
    expect(updated!.updatedAt.getTime()).toBeGreaterThan(user.updatedAt.getTime())
  })
})

describe('account deletion', () => {
  it('removes every personal row by FK rules, keeps other users, pack content and payment events', async () => {
    const leaving = await createUser()
    const staying = await createUser()
    const leavingRows = await seedPersonalData(db, leaving.id, pack)
    const stayingRows = await seedPersonalData(db, staying.id, pack)
    // the staying learner is also a member of the leaving user's program and has progress on their lesson
    await db.insert(programMemberships).values({ programId: leavingRows.programId, userId: staying.id })
    await db.insert(lessonProgress).values({ userId: staying.id, lessonId: leavingRows.lessonId })

    await db.delete(users).where(eq(users.id, leaving.id))

    const gone = await remainingRows(leavingRows)
    expect(Object.entries(gone).filter(([, n]) => n > 0)).toEqual([])
    const staysIntact = await remainingRows(stayingRows)
    expect(Object.entries(staysIntact).filter(([, n]) => n === 0)).toEqual([])
    // the staying learner's progress on the deleted lesson went with the lesson; their own data did not
    const stayingProgress = await db.select().from(lessonProgress).where(eq(lessonProgress.userId, staying.id))
    expect(stayingProgress.map((row) => row.lessonId)).toEqual([pack.lessonId])

    const packRows = await Promise.all([
      db.select().from(curriculumObjectives).where(eq(curriculumObjectives.id, pack.objectiveId)),
      db.select().from(lessons).where(eq(lessons.id, pack.lessonId)),
      db.select().from(examTemplates).where(eq(examTemplates.id, pack.templateId)),
      db.select().from(examParts).where(eq(examParts.id, pack.partId)),
    ])
    expect(packRows.map((rows) => rows.length)).toEqual([1, 1, 1, 1])

    const [event] = await db.select().from(paymentEvents).where(eq(paymentEvents.id, leavingRows.paymentEventId))
    expect(event).toBeDefined()
    expect(event!.userId).toBeNull()
  })
})

describe('tutor sessions', () => {
  it('allow exactly one tutor session per user', async () => {
    const user = await createUser()
    await db.insert(tutorSessions).values({ userId: user.id })
    expect(await pgErrorCode(db.insert(tutorSessions).values({ userId: user.id }))).toBe('23505')
  })

  it('order turns uniquely by sequence within a sitting', async () => {
    const user = await createUser()
    const [session] = await db.insert(tutorSessions).values({ userId: user.id }).returning()
    const [sitting] = await db
      .insert(sittings)
      .values({ tutorSessionId: session!.id, userId: user.id, transport: 'text' })
      .returning()
    const turn = { tutorSessionId: session!.id, sittingId: sitting!.id, userId: user.id, sequence: 0, role: 'tutor' as const, text: 'Hei!' }
    await db.insert(turns).values(turn)
    expect(await pgErrorCode(db.insert(turns).values({ ...turn, text: 'Hei igjen!' }))).toBe('23505')
  })
})

describe('document retrieval', () => {
  it('full-text search stems Norwegian through the GIN index: "husene" finds "huset"', async () => {
    const user = await createUser()
    const [document] = await db
      .insert(uploadDocuments)
      .values({
        ownerId: user.id,
        kind: 'document',
        scope: 'learner',
        originalFilename: 'bolig.txt',
        storageKey: `uploads/${randomUUID()}`,
        mimeType: 'text/plain',
        sizeBytes: 64,
        sha256: 'b'.repeat(64),
      })
      .returning()
    const [chunk] = await db
      .insert(documentChunks)
      .values([
        { documentId: document!.id, position: 0, heading: 'Bolig', content: 'Huset ligger ved sjøen.' },
        { documentId: document!.id, position: 1, heading: 'Arbeid', content: 'Jeg jobber på et kontor.' },
      ])
      .returning()

    expect(chunk!.tsv).toContain("'hus'")

    const matches = sql`${documentChunks.tsv} @@ plainto_tsquery('avaaz_nb', ${'husene'})`
    const found = await db
      .select({ id: documentChunks.id })
      .from(documentChunks)
      .where(and(eq(documentChunks.documentId, document!.id), matches))
    expect(found).toEqual([{ id: chunk!.id }])
    const search = db.select({ id: documentChunks.id }).from(documentChunks).where(matches)
    expect(await planWithoutSeqScan(search)).toContain('document_chunks_tsv_gin_idx')
  })

  it('cosine nearest-neighbour search returns the closest chunk, using the HNSW index', async () => {
    const user = await createUser()
    const [document] = await db
      .insert(uploadDocuments)
      .values({
        ownerId: user.id,
        kind: 'document',
        scope: 'instructor',
        originalFilename: 'kurs.docx',
        storageKey: `uploads/${randomUUID()}`,
        mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        sizeBytes: 2048,
        sha256: 'c'.repeat(64),
      })
      .returning()
    const chunks = await db
      .insert(documentChunks)
      .values(
        [500, 501, 502].map((axis, position) => ({
          documentId: document!.id,
          position,
          content: `Avsnitt ${position}`,
          embedding: axisVector(axis),
          embeddingModel: 'test',
        })),
      )
      .returning()

    const queryVector = axisVector(501, 502, 0.3)
    const nearest = db
      .select({ id: documentChunks.id, distance: cosineDistance(documentChunks.embedding, queryVector) })
      .from(documentChunks)
      .orderBy(cosineDistance(documentChunks.embedding, queryVector))
      .limit(2)
    const rows = await nearest
    expect(rows.map((row) => row.id)).toEqual([chunks[1]!.id, chunks[2]!.id])
    expect(Number(rows[0]!.distance)).toBeLessThan(Number(rows[1]!.distance))
    expect(await planWithoutSeqScan(nearest)).toContain('document_chunks_embedding_hnsw_idx')
  })

  it('rejects embeddings of the wrong dimension', async () => {
    const user = await createUser()
    const [document] = await db
      .insert(uploadDocuments)
      .values({
        ownerId: user.id,
        kind: 'document',
        scope: 'learner',
        originalFilename: 'x.txt',
        storageKey: `uploads/${randomUUID()}`,
        mimeType: 'text/plain',
        sizeBytes: 1,
        sha256: 'd'.repeat(64),
      })
      .returning()
    const code = await pgErrorCode(
      db.insert(documentChunks).values({ documentId: document!.id, position: 0, content: 'x', embedding: [1, 0, 0] }),
    )
    expect(code).toBe('22000')
  })
})

describe('exams', () => {
  async function newAttempt() {
    const user = await createUser()
    const [attempt] = await db
      .insert(examAttempts)
      .values({ userId: user.id, templateId: pack.templateId, level: 'A2-B1' })
      .returning()
    return attempt!
  }

  it('keep one overall score per criterion (a null part is one overall row), and one per part', async () => {
    const attempt = await newAttempt()
    const overall = { attemptId: attempt.id, examPartId: null, criterion: 'fluency' as const, rater: 'measured' as const }
    await db.insert(examScores).values(overall)
    expect(await pgErrorCode(db.insert(examScores).values({ ...overall, rater: 'llm' }))).toBe('23505')

    const perPart = { ...overall, examPartId: pack.partId }
    await db.insert(examScores).values(perPart)
    expect(await pgErrorCode(db.insert(examScores).values(perPart))).toBe('23505')

    const rows = await db.select().from(examScores).where(eq(examScores.attemptId, attempt.id))
    expect(rows).toHaveLength(2)
  })

  it('record "not assessable" without a band, and reject bands outside the level scale', async () => {
    const attempt = await newAttempt()
    const [row] = await db
      .insert(examScores)
      .values({ attemptId: attempt.id, criterion: 'pronunciation', assessable: false, rater: 'measured' })
      .returning()
    expect(row).toMatchObject({ assessable: false, band: null, score: null })
    const bad = db
      .insert(examScores)
      .values({ attemptId: attempt.id, criterion: 'grammar', rater: 'llm', band: 'C2' as never })
    expect(await pgErrorCode(bad)).toBe('23514')
  })

  it('refuse to delete a template that has attempts', async () => {
    await newAttempt()
    // 23001 restrict_violation (ON DELETE RESTRICT)
    expect(await pgErrorCode(db.delete(examTemplates).where(eq(examTemplates.id, pack.templateId)))).toBe('23001')
  })
})

describe('lessons', () => {
  it('are found by exam tag through the GIN index', async () => {
    const slug = `tagged-${randomUUID()}`
    await db.insert(lessons).values({
      slug,
      level: 'B1',
      source: 'pack',
      status: 'published',
      title: 'Argumenter for og imot',
      examTags: ['B1-B2:argue_statement', 'opinion'],
    })
    const query = db
      .select({ slug: lessons.slug })
      .from(lessons)
      .where(sql`${lessons.examTags} @> ${sql.param(['B1-B2:argue_statement'])}::text[]`)
    expect(await query).toEqual([{ slug }])
    expect(await planWithoutSeqScan(query)).toContain('lessons_exam_tags_gin_idx')
  })
})

describe('progress', () => {
  it('keeps one snapshot per user, period and period start', async () => {
    const user = await createUser()
    const snapshot = { userId: user.id, period: 'week' as const, periodStart: '2025-01-06' }
    await db.insert(progressSnapshots).values(snapshot)
    await db.insert(progressSnapshots).values({ ...snapshot, period: 'day' })
    expect(await pgErrorCode(db.insert(progressSnapshots).values(snapshot))).toBe('23505')
  })

  it('keeps one lesson progress row per user and lesson', async () => {
    const user = await createUser()
    await db.insert(lessonProgress).values({ userId: user.id, lessonId: pack.lessonId })
    expect(await pgErrorCode(db.insert(lessonProgress).values({ userId: user.id, lessonId: pack.lessonId }))).toBe(
      '23505',
    )
  })
})

describe('programs', () => {
  it('allow a user to join a program only once', async () => {
    const instructor = await createUser({ role: 'instructor' })
    const learner = await createUser()
    const [program] = await db.insert(programs).values({ name: 'Norsk A2', ownerId: instructor.id }).returning()
    await db.insert(programMemberships).values({ programId: program!.id, userId: learner.id })
    expect(await pgErrorCode(db.insert(programMemberships).values({ programId: program!.id, userId: learner.id }))).toBe(
      '23505',
    )
  })
})

describe('payments', () => {
  it('reject a duplicate provider event id (webhook idempotency)', async () => {
    const eventId = `evt_${randomUUID()}`
    const event = { provider: 'stripe' as const, providerEventId: eventId, type: 'checkout.session.completed', payload: { id: eventId } }
    await db.insert(paymentEvents).values(event)
    expect(await pgErrorCode(db.insert(paymentEvents).values(event))).toBe('23505')
    const stored = await db.select().from(paymentEvents).where(inArray(paymentEvents.providerEventId, [eventId]))
    expect(stored).toHaveLength(1)
  })
})

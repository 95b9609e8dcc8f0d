import { rmSync } from 'node:fs'
import path from 'node:path'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import {
  authAccounts,
  authSessions,
  examAttempts,
  examScores,
  lessonProgress,
  lessons,
  programMemberships,
  programs,
  progressSnapshots,
  sittings,
  subscriptions,
  turns,
  tutorSessions,
  uploadDocuments,
  users,
  type User,
} from '../../core/db/schema/index.js'
import { Forbidden, NotFound } from '../../core/errors.js'
import { learnerAudioDir } from '../voice/turn-audio.js'
import type { Profile, ProfileUpdate } from './schema.js'

/** Where a user's stored files (uploads, audio) live: removed with the account. */
export function userFilesDir(dataDir: string, userId: string): string {
  return path.join(dataDir, 'files', userId)
}

export function toProfile(user: User): Profile {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    name: user.name,
    role: user.role,
    locale: user.locale,
    nativeLanguage: user.nativeLanguage,
    targetLevel: user.targetLevel,
    examGoal: user.examGoal,
    examDate: user.examDate,
    timeZone: user.timeZone,
    preferences: user.preferences,
    onboardedAt: user.onboardedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  }
}

async function loadUser(app: FastifyInstance, userId: string): Promise<User> {
  const [user] = await app.db.select().from(users).where(eq(users.id, userId)).limit(1)
  // The session outlived the account (deleted in another tab): treat as gone.
  if (!user) throw new NotFound('This account no longer exists.')
  return user
}

export async function getProfile(app: FastifyInstance, principal: Principal): Promise<Profile> {
  return toProfile(await loadUser(app, principal.userId))
}

export async function updateProfile(app: FastifyInstance, principal: Principal, update: ProfileUpdate): Promise<Profile> {
  const { preferences, onboarded, ...fields } = update
  // Preferences merge in SQL, so two quick edits of different preferences both survive.
  const [updated] = await app.db
    .update(users)
    .set({
      ...fields,
      ...(preferences ? { preferences: sql`${users.preferences} || ${JSON.stringify(preferences)}::jsonb` } : {}),
      // The first completion counts; finishing onboarding again (another tab) keeps the original time.
      ...(onboarded ? { onboardedAt: sql`coalesce(${users.onboardedAt}, now())` } : {}),
    })
    .where(eq(users.id, principal.userId))
    .returning()
  if (!updated) throw new NotFound('This account no longer exists.')
  return toProfile(updated)
}

const isoDates = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]))

/** Everything stored about the user, as JSON (GDPR art. 15 and 20). Secrets (password hash, tokens) are left out. */
export async function exportAccount(app: FastifyInstance, principal: Principal) {
  const { db } = app
  const userId = principal.userId
  const user = await loadUser(app, userId)
  const attempts = await db.select().from(examAttempts).where(eq(examAttempts.userId, userId)).orderBy(asc(examAttempts.startedAt))
  const attemptIds = attempts.map((attempt) => attempt.id)
  const [tutorSession] = await db.select().from(tutorSessions).where(eq(tutorSessions.userId, userId))
  const sessions = await db
    .select({
      id: authSessions.id,
      createdAt: authSessions.createdAt,
      expiresAt: authSessions.expiresAt,
      ipAddress: authSessions.ipAddress,
      userAgent: authSessions.userAgent,
    })
    .from(authSessions)
    .where(eq(authSessions.userId, userId))
  return {
    exportedAt: new Date().toISOString(),
    profile: toProfile(user),
    authSessions: sessions.map(isoDates),
    tutorSession: tutorSession ? isoDates(tutorSession) : null,
    sittings: (await db.select().from(sittings).where(eq(sittings.userId, userId)).orderBy(asc(sittings.startedAt))).map(isoDates),
    turns: (await db.select().from(turns).where(eq(turns.userId, userId)).orderBy(asc(turns.createdAt), asc(turns.sequence))).map(isoDates),
    examAttempts: attempts.map(isoDates),
    examScores: attemptIds.length ? (await db.select().from(examScores).where(inArray(examScores.attemptId, attemptIds))).map(isoDates) : [],
    documents: (await db.select().from(uploadDocuments).where(eq(uploadDocuments.ownerId, userId))).map(isoDates),
    lessons: (await db.select().from(lessons).where(eq(lessons.ownerId, userId))).map(isoDates),
    lessonProgress: (await db.select().from(lessonProgress).where(eq(lessonProgress.userId, userId))).map(isoDates),
    progressSnapshots: (await db.select().from(progressSnapshots).where(eq(progressSnapshots.userId, userId))).map(isoDates),
    programs: (await db.select().from(programs).where(eq(programs.ownerId, userId))).map(isoDates),
    programMemberships: (await db.select().from(programMemberships).where(eq(programMemberships.userId, userId))).map(isoDates),
    subscriptions: (await db.select().from(subscriptions).where(eq(subscriptions.userId, userId))).map(isoDates),
  }
}

/** Checks the user's current password against the stored hash. */
export async function verifyPassword(app: FastifyInstance, userId: string, password: string): Promise<boolean> {
  const [account] = await app.db
    .select({ password: authAccounts.password })
    .from(authAccounts)
    .where(and(eq(authAccounts.userId, userId), eq(authAccounts.providerId, 'credential')))
    .limit(1)
  if (!account?.password) return false
  const context = await app.auth.$context
  return context.password.verify({ hash: account.password, password })
}

/**
 * Deletes the account and everything personal: every row that belongs to the user goes with the
 * users row (foreign keys cascade; payment events keep a null user as the accounting trail), then
 * the user's stored files.
 */
export async function deleteAccount(app: FastifyInstance, principal: Principal, password: string): Promise<void> {
  if (!(await verifyPassword(app, principal.userId, password))) {
    throw new Forbidden('The password is not correct.')
  }
  await app.db.delete(users).where(eq(users.id, principal.userId))
  rmSync(userFilesDir(app.config.dataDir, principal.userId), { recursive: true, force: true })
  rmSync(learnerAudioDir(app.config.dataDir, principal.userId), { recursive: true, force: true })
  app.log.info({ userId: principal.userId }, 'account deleted')
}

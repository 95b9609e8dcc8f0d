import { index, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core'

import { programRoleEnum, timestamps, timestamptz } from './common.js'
import { lessons } from './curriculum.js'
import { users } from './users.js'

/** A group of learners led by an instructor (an adult-education class). */
export const programs = pgTable(
  'programs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description'),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Code learners enter to join; null = invitation only. */
    joinCode: text('join_code').unique('programs_join_code_unique'),
    archivedAt: timestamptz('archived_at'),
    ...timestamps(),
  },
  (t) => [index('programs_owner_idx').on(t.ownerId)],
)

export const programMemberships = pgTable(
  'program_memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    programId: uuid('program_id')
      .notNull()
      .references(() => programs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: programRoleEnum('role').notNull().default('learner'),
    joinedAt: timestamptz('joined_at').notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [
    unique('program_memberships_program_user_unique').on(t.programId, t.userId),
    index('program_memberships_user_idx').on(t.userId),
  ],
)

export const programAssignments = pgTable(
  'program_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    programId: uuid('program_id')
      .notNull()
      .references(() => programs.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    assignedBy: text('assigned_by').references(() => users.id, { onDelete: 'set null' }),
    note: text('note'),
    dueAt: timestamptz('due_at'),
    ...timestamps(),
  },
  (t) => [
    index('program_assignments_program_due_idx').on(t.programId, t.dueAt),
    index('program_assignments_lesson_idx').on(t.lessonId),
    index('program_assignments_assigned_by_idx').on(t.assignedBy),
  ],
)

export type Program = typeof programs.$inferSelect
export type NewProgram = typeof programs.$inferInsert
export type ProgramMembership = typeof programMemberships.$inferSelect
export type NewProgramMembership = typeof programMemberships.$inferInsert
export type ProgramAssignment = typeof programAssignments.$inferSelect
export type NewProgramAssignment = typeof programAssignments.$inferInsert

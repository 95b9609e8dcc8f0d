import { and, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireRole, signedIn } from '../../core/auth/access.js'
import { authSessions, userRoles, users } from '../../core/db/schema/index.js'
import { Conflict, NotFound } from '../../core/errors.js'
import { problemSchema } from '../../core/http/problem.js'

const adminUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(userRoles),
    emailVerified: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminUser' })

const listQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(100).optional().describe('Part of the email or name'),
    role: z.enum(userRoles).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict()

const updateSchema = z
  .object({
    role: z.enum(userRoles).optional(),
    disabled: z.boolean().optional().describe('A disabled user cannot sign in; their sessions end at once'),
  })
  .strict()
  .refine((body) => body.role !== undefined || body.disabled !== undefined, 'send role and/or disabled')

const security = signedIn
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema }

function toAdminUser(user: typeof users.$inferSelect): z.infer<typeof adminUserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    emailVerified: user.emailVerified,
    disabled: Boolean(user.banned),
    createdAt: user.createdAt.toISOString(),
  }
}

/** Administration of accounts: list users, change roles, disable and re-enable. Admins only. */
export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List users (newest first), filtered by text and role',
        security,
        querystring: listQuerySchema,
        response: {
          200: z.object({ items: z.array(adminUserSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
          ...errors,
        },
      },
    },
    async (request) => {
      await requireRole(request, 'admin')
      const { q, role, page, pageSize } = request.query
      const filters: SQL[] = []
      if (q) {
        const pattern = `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
        filters.push(or(ilike(users.email, pattern), ilike(users.name, pattern))!)
      }
      if (role) filters.push(eq(users.role, role))
      const where = filters.length ? and(...filters) : undefined
      const [{ total } = { total: 0 }] = await app.db.select({ total: count() }).from(users).where(where)
      const rows = await app.db
        .select()
        .from(users)
        .where(where)
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize)
      return { items: rows.map(toAdminUser), total, page, pageSize }
    },
  )

  app.patch(
    '/admin/users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role or disable/enable them",
        security,
        params: z.object({ id: z.string().min(1).max(64) }),
        body: updateSchema,
        response: { 200: adminUserSchema, 404: problemSchema, 409: problemSchema, ...errors },
      },
    },
    async (request) => {
      const admin = await requireRole(request, 'admin')
      const { id } = request.params
      const { role, disabled } = request.body
      if (id === admin.userId && (disabled === true || (role !== undefined && role !== 'admin'))) {
        throw new Conflict('Admins cannot disable themselves or remove their own admin role; ask another admin.')
      }
      const updated = await app.db.transaction(async (tx) => {
        const [user] = await tx
          .update(users)
          .set({
            ...(role !== undefined ? { role } : {}),
            ...(disabled !== undefined ? { banned: disabled, banReason: disabled ? 'Disabled by an administrator' : null } : {}),
          })
          .where(eq(users.id, id))
          .returning()
        if (!user) throw new NotFound('No such user.')
        // A disabled user is signed out everywhere at once; a role change applies to the next request.
        if (disabled) await tx.delete(authSessions).where(eq(authSessions.userId, id))
        return user
      })
      request.log.info({ targetUserId: id, role, disabled }, 'user updated by admin')
      return toAdminUser(updated)
    },
  )
}

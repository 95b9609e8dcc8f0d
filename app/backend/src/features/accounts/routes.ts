import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import { deleteAccountSchema, exportSchema, profileSchema, profileUpdateSchema } from './schema.js'
import { deleteAccount, exportAccount, getProfile, updateProfile } from './service.js'

const security = signedIn
const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema }

export const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/users/me',
    { schema: { tags: ['account'], summary: 'My profile and preferences', security, response: { 200: profileSchema, ...errors } } },
    async (request) => getProfile(app, await requireUser(request)),
  )

  app.patch(
    '/users/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Change my profile or preferences (only the fields sent)',
        security,
        body: profileUpdateSchema,
        response: { 200: profileSchema, ...errors },
      },
    },
    async (request) => updateProfile(app, await requireUser(request), request.body),
  )

  app.get(
    '/users/me/export',
    {
      schema: {
        tags: ['account'],
        summary: 'Download all my data as JSON',
        security,
        response: { 200: exportSchema, ...errors },
      },
    },
    async (request, reply) => {
      const principal = await requireUser(request)
      reply.header('content-disposition', `attachment; filename="avaaz-export-${new Date().toISOString().slice(0, 10)}.json"`)
      return exportAccount(app, principal)
    },
  )

  app.delete(
    '/users/me',
    {
      // The password check is a guessing oracle for anyone holding a stolen session: limit it like sign-in.
      config: { rateLimit: { max: app.config.authRateLimit.max, timeWindow: app.config.authRateLimit.windowMs } },
      schema: {
        tags: ['account'],
        summary: 'Delete my account and everything personal (asks for the password)',
        security,
        body: deleteAccountSchema,
        response: { 204: z.null().describe('Deleted'), 403: problemSchema, ...errors },
      },
    },
    async (request, reply) => {
      await deleteAccount(app, await requireUser(request), request.body.password)
      // The session died with the account; tell the browser to drop its cookie too.
      const secure = app.config.isProduction
      reply.header('set-cookie', `${secure ? '__Secure-' : ''}avaaz.session_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`)
      return reply.status(204).send(null)
    },
  )
}

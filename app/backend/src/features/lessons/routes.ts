import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { optionalUser, requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import {
  idOrSlugSchema,
  learnerProgressSchema,
  lessonDetailSchema,
  lessonProgressSchema,
  lessonQuerySchema,
  lessonSummarySchema,
  progressUpdateSchema,
  recommendationSchema,
} from '../curriculum/schema.js'
import {
  completeLesson,
  getLessonDetail,
  learnerProgress,
  listLessons,
  recommendLessons,
  startLesson,
  updateLessonProgress,
} from './service.js'

const params = z.object({ idOrSlug: idOrSlugSchema })
const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema }

export const lessonRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/lessons',
    {
      schema: {
        tags: ['lessons'],
        summary: 'Lessons, filtered by level, topic, type, exam tag and text (paged)',
        querystring: lessonQuerySchema,
        response: {
          200: z.object({ items: z.array(lessonSummarySchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
          400: problemSchema,
        },
      },
    },
    async (request) => listLessons(app, await optionalUser(request), request.query),
  )

  // Registered before /lessons/:idOrSlug so "recommended" is never taken for a slug.
  app.get(
    '/lessons/recommended',
    {
      schema: {
        tags: ['lessons'],
        summary: 'The next lessons for me, each with the reason',
        security: signedIn,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(20).default(5) }).strict(),
        response: { 200: z.object({ items: z.array(recommendationSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await recommendLessons(app, await requireUser(request), request.query.limit) }),
  )

  app.get(
    '/lessons/:idOrSlug',
    {
      schema: {
        tags: ['lessons'],
        summary: 'A lesson with its objectives, scenario steps and (signed in) my progress',
        params,
        response: { 200: lessonDetailSchema, ...errors },
      },
    },
    async (request) => getLessonDetail(app, await optionalUser(request), request.params.idOrSlug),
  )

  app.post(
    '/lessons/:idOrSlug/start',
    {
      schema: {
        tags: ['lessons'],
        summary: 'Start (or resume, or repeat) a lesson',
        security: signedIn,
        params,
        body: z.object({}).strict().nullish().describe('No fields; may be omitted'),
        response: { 200: lessonProgressSchema, ...errors },
      },
    },
    async (request) => startLesson(app, await requireUser(request), request.params.idOrSlug),
  )

  app.patch(
    '/lessons/:idOrSlug/progress',
    {
      schema: {
        tags: ['lessons'],
        summary: 'Record the current step and minutes spent in a started lesson',
        security: signedIn,
        params,
        body: progressUpdateSchema,
        response: { 200: lessonProgressSchema, 409: problemSchema, ...errors },
      },
    },
    async (request) => updateLessonProgress(app, await requireUser(request), request.params.idOrSlug, request.body),
  )

  app.post(
    '/lessons/:idOrSlug/complete',
    {
      schema: {
        tags: ['lessons'],
        summary: 'Complete a started lesson (updates my progress)',
        security: signedIn,
        params,
        body: z.object({ minutes: z.number().min(0).max(180).optional() }).strict().nullish(),
        response: { 200: lessonProgressSchema, 409: problemSchema, ...errors },
      },
    },
    async (request) => completeLesson(app, await requireUser(request), request.params.idOrSlug, request.body?.minutes ?? 0),
  )

  app.get(
    '/progress',
    {
      schema: {
        tags: ['progress'],
        summary: 'My progress: lessons completed per level, minutes, streak, CEFR estimate',
        security: signedIn,
        response: { 200: learnerProgressSchema, ...errors },
      },
    },
    async (request) => learnerProgress(app, await requireUser(request)),
  )
}

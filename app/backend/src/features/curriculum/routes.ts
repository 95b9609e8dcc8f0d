import { readFileSync } from 'node:fs'
import path from 'node:path'
import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { optionalUser } from '../../core/auth/access.js'
import { curriculumObjectives, examParts, examTemplates, lessonObjectives, lessons, scenarioSteps, scenarios } from '../../core/db/schema/index.js'
import { NotFound } from '../../core/errors.js'
import { problemSchema } from '../../core/http/problem.js'
import { toLessonSummary, visibleLessons } from '../lessons/service.js'
import type { PictureCatalog } from './content-pack.js'
import {
  byIdOrSlug,
  examTemplateViewSchema,
  idOrSlugSchema,
  lessonSummarySchema,
  objectiveQuerySchema,
  objectiveSchema,
  pictureViewSchema,
  scenarioTemplateSchema,
} from './schema.js'

const objectiveColumns = {
  id: curriculumObjectives.id,
  slug: curriculumObjectives.slug,
  level: curriculumObjectives.level,
  skill: curriculumObjectives.skill,
  descriptorEn: curriculumObjectives.descriptorEn,
  descriptorNb: curriculumObjectives.descriptorNb,
}
const levelOrder = sql`array_position(array['A1','A2','B1','B2']::cefr_level[], ${curriculumObjectives.level})`

/** The curriculum's read side: objectives, pictures, scenario templates and exam templates. Public. */
export function curriculumRoutes(pack: PictureCatalog): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/curriculum/objectives',
      {
        schema: {
          tags: ['curriculum'],
          summary: 'CEFR can-do objectives by level and skill',
          querystring: objectiveQuerySchema,
          response: { 200: z.object({ items: z.array(objectiveSchema) }), 400: problemSchema },
        },
      },
      async (request) => {
        const { level, skill } = request.query
        const items = await app.db
          .select(objectiveColumns)
          .from(curriculumObjectives)
          .where(
            and(
              eq(curriculumObjectives.published, true),
              level ? eq(curriculumObjectives.level, level) : undefined,
              skill ? eq(curriculumObjectives.skill, skill) : undefined,
            ),
          )
          .orderBy(levelOrder, asc(curriculumObjectives.skill), asc(curriculumObjectives.position))
        return { items }
      },
    )

    app.get(
      '/curriculum/objectives/:idOrSlug',
      {
        schema: {
          tags: ['curriculum'],
          summary: 'An objective and the lessons that teach it',
          params: z.object({ idOrSlug: idOrSlugSchema }),
          response: { 200: objectiveSchema.extend({ lessons: z.array(lessonSummarySchema) }), 404: problemSchema },
        },
      },
      async (request) => {
        const { idOrSlug } = request.params
        const [objective] = await app.db
          .select(objectiveColumns)
          .from(curriculumObjectives)
          .where(and(byIdOrSlug(curriculumObjectives, idOrSlug), eq(curriculumObjectives.published, true)))
        if (!objective) throw new NotFound(`No objective ${idOrSlug}.`)
        const taught = await app.db
          .select({ lesson: lessons })
          .from(lessonObjectives)
          .innerJoin(lessons, eq(lessons.id, lessonObjectives.lessonId))
          .where(and(eq(lessonObjectives.objectiveId, objective.id), visibleLessons(await optionalUser(request))))
          .orderBy(asc(lessons.position))
        return { ...objective, lessons: taught.map((row) => toLessonSummary(row.lesson)) }
      },
    )

    app.get(
      '/curriculum/pictures',
      {
        schema: {
          tags: ['curriculum'],
          summary: 'Pictures for picture-description tasks, with alt text and the vocabulary they invite',
          response: { 200: z.object({ items: z.array(pictureViewSchema) }) },
        },
      },
      async () => ({
        items: pack.pictures.map(({ file: _file, ...picture }) => ({ ...picture, url: `/api/v1/curriculum/pictures/${picture.slug}.svg` })),
      }),
    )

    const svgBySlug = new Map(pack.pictures.map((picture) => [picture.slug, path.join(pack.dir, 'pictures', picture.file)]))
    app.get(
      '/curriculum/pictures/:file',
      {
        schema: {
          tags: ['curriculum'],
          summary: 'One picture (SVG)',
          params: z.object({ file: z.string().regex(/^[a-z0-9-]+\.svg$/, 'must be <slug>.svg') }),
          response: { 200: z.string().describe('image/svg+xml'), 400: problemSchema, 404: problemSchema },
        },
      },
      async (request, reply) => {
        const file = svgBySlug.get(request.params.file.replace(/\.svg$/, ''))
        if (!file) throw new NotFound(`No picture ${request.params.file}.`)
        // The pack's SVGs are validated to hold no scripts; this CSP keeps any SVG inert even if opened directly.
        reply
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
          .header('cache-control', 'public, max-age=86400')
          .header('cross-origin-resource-policy', 'cross-origin')
          .type('image/svg+xml; charset=utf-8')
        return readFileSync(file, 'utf8')
      },
    )

    app.get(
      '/scenarios/templates',
      {
        schema: {
          tags: ['curriculum'],
          summary: 'Scenario templates: lesson scenarios and exam parts',
          querystring: z.object({ kind: z.enum(['lesson', 'exam']).optional() }).strict(),
          response: { 200: z.object({ items: z.array(scenarioTemplateSchema) }), 400: problemSchema },
        },
      },
      async (request) => {
        const { kind } = request.query
        const items: Array<z.infer<typeof scenarioTemplateSchema>> = []
        if (kind !== 'exam') {
          const rows = await app.db
            .select({ scenario: scenarios, steps: sql<number>`(select count(*)::int from ${scenarioSteps} where ${scenarioSteps.scenarioId} = ${scenarios.id})` })
            .from(scenarios)
            .innerJoin(lessons, eq(lessons.id, scenarios.lessonId))
            .where(and(eq(lessons.source, 'pack'), eq(lessons.status, 'published')))
            .orderBy(asc(scenarios.level), asc(lessons.position))
          for (const { scenario, steps } of rows) {
            items.push({ kind: 'lesson', id: scenario.id, slug: scenario.slug, level: scenario.level, title: scenario.title, taskKind: scenario.kind, mode: scenario.mode, steps })
          }
        }
        if (kind !== 'lesson') {
          const rows = await app.db
            .select({ part: examParts, template: examTemplates })
            .from(examParts)
            .innerJoin(examTemplates, eq(examTemplates.id, examParts.templateId))
            .where(and(eq(examTemplates.published, true), gte(examParts.position, 0)))
            .orderBy(asc(examTemplates.level), asc(examParts.position))
          for (const { part, template } of rows) {
            items.push({ kind: 'exam', id: part.id, slug: `${template.slug}/${part.slug}`, level: template.level, title: part.title, taskKind: part.taskType, mode: part.mode, steps: part.examinerScript.length })
          }
        }
        return { items }
      },
    )

    app.get(
      '/exams/templates',
      {
        schema: {
          tags: ['exams'],
          summary: 'Mock exam templates (A1–A2, A2–B1, B1–B2) with their parts',
          response: { 200: z.object({ items: z.array(examTemplateViewSchema) }) },
        },
      },
      async () => {
        const templates = await app.db.select().from(examTemplates).where(eq(examTemplates.published, true)).orderBy(asc(examTemplates.level))
        const parts = templates.length
          ? await app.db
              .select()
              .from(examParts)
              // Retired parts (negative positions) are kept for history only.
              .where(and(inArray(examParts.templateId, templates.map((t) => t.id)), gte(examParts.position, 0)))
              .orderBy(asc(examParts.position))
          : []
        return {
          items: templates.map((template) => ({
            id: template.id,
            slug: template.slug,
            level: template.level,
            title: template.title,
            description: template.description,
            totalMinutes: template.totalMinutes,
            parts: parts
              .filter((part) => part.templateId === template.id)
              .map((part) => ({
                position: part.position,
                slug: part.slug,
                title: part.title,
                taskType: part.taskType,
                mode: part.mode,
                scored: part.scored,
                preparationSeconds: part.preparationSeconds,
                speakingSeconds: part.speakingSeconds,
                instructionsEn: part.instructionsEn,
                instructionsNb: part.instructionsNb,
                criteria: part.criteria,
                promptCount: part.promptBank.length,
              })),
          })),
        }
      },
    )
  }
}

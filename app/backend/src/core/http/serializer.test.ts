import { isResponseSerializationError } from 'fastify-type-provider-zod'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { serializerCompiler, trustedResponse } from './serializer.js'

function compile(schema: z.ZodType) {
  return serializerCompiler({ schema, method: 'GET', url: '/test', httpStatus: '200' })
}

const dependency = z
  .object({
    status: z.enum(['up', 'down']),
    required: z.boolean(),
    latencyMs: z.number(),
    details: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'TestDependency' })

const report = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), dependency),
  tags: z.array(z.string()),
  note: z.string().nullable(),
})

describe('the response serializer', () => {
  it('writes a trusted schema exactly as zod and JSON.stringify would', () => {
    const serialize = compile(trustedResponse(report.meta({ id: 'TestReport' })))
    const values = [
      { status: 'ok', checks: {}, tags: [], note: null },
      {
        status: 'ok',
        extra: 'not in the schema',
        checks: {
          database: { status: 'up', required: true, latencyMs: 1.25, details: { driver: 'pglite', nested: [1, { a: 'b' }] }, unknown: 1 },
          'ai-provider': { status: 'down', required: false, latencyMs: 0, error: 'refused "quoted" \u2028', details: undefined },
        },
        tags: ['a', 'b"c'],
        note: 'æøå',
      },
    ]
    for (const value of values) {
      expect(serialize(value)).toBe(JSON.stringify(z.encode(report, value as z.output<typeof report>)))
    }
  })

  it('still validates other schemas with zod', () => {
    const serialize = compile(report)
    const failure = (value: unknown) => {
      try {
        serialize(value)
      } catch (error) {
        return error
      }
      return undefined
    }
    expect(isResponseSerializationError(failure({ status: 'nope', checks: {}, tags: [], note: null }))).toBe(true)
    expect(isResponseSerializationError(failure({ status: 'ok', checks: {}, tags: [] }))).toBe(true)
  })

  it('refuses a trusted schema that JSON Schema cannot describe, at start rather than per response', () => {
    expect(() => compile(trustedResponse(z.object({ at: z.date() })))).toThrow()
    expect(() => compile(trustedResponse(z.object({ n: z.string().transform(Number) })))).toThrow()
  })
})

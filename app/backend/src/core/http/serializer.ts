import fastJson from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify'
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'

type ZodSchema = Parameters<typeof zodSerializerCompiler>[0]['schema']

const trusted = new WeakSet<z.ZodType>()

/**
 * Marks a response schema whose values are always built by our own, type-checked code from
 * constants and our own types (never from user input or a database row), such as the health
 * probes'. Such a response is serialised by fast-json-stringify compiled once from the schema's
 * JSON Schema, instead of being re-validated by zod and then passed to JSON.stringify on every
 * response. The output is the same for every value the TypeScript type allows: only the schema's
 * properties are written, in its order. What is lost is the runtime check for values the types
 * cannot rule out (a wrong enum member would be written as is, not rejected), which is why this
 * is opt-in per schema and the rest of the API keeps zod's check.
 */
export function trustedResponse<T extends z.ZodType>(schema: T): T {
  trusted.add(schema)
  return schema
}

/**
 * The app's response serializer: fastify-type-provider-zod's (validate with zod, then
 * JSON.stringify) for every schema, except those marked with `trustedResponse`.
 */
export const serializerCompiler: FastifySerializerCompiler<ZodSchema> = (route) => {
  const { schema } = route
  if (schema instanceof z.ZodType && trusted.has(schema)) {
    // draft-07 is what fast-json-stringify (through ajv) reads; "output" is the shape we send.
    const jsonSchema = z.toJSONSchema(schema, { io: 'output', target: 'draft-07', unrepresentable: 'throw' })
    return fastJson(jsonSchema as Parameters<typeof fastJson>[0])
  }
  return zodSerializerCompiler(route)
}

import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

/**
 * A route's zod response schema as the JSON Schema of what goes out: dates as date-time strings, as in
 * /openapi.json (which @fastify/swagger derives from the same zod schemas).
 */
export function responseJsonSchema(schema: z.ZodType): Schema {
  return z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as Schema;
}

/** One serializer per schema: the Error body is declared by every route for several statuses. */
const compiled = new WeakMap<z.ZodType, (data: unknown) => string>();

/**
 * Responses are written by fast-json-stringify, compiled once per declared zod schema
 * (Fastify's own serializer; zod does not re-parse each answer). What a schema does not declare is not sent: a
 * resource's schema lists every field a client reads.
 */
export const responseSerializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  let serialize = compiled.get(schema);
  if (!serialize) compiled.set(schema, (serialize = fastJsonStringify(responseJsonSchema(schema))));
  return serialize;
};

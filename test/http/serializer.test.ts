import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { responseSerializerCompiler } from '../../src/http/serializer.ts';
import { objectId, timestamp } from '../../src/api/schemas/fields.ts';

const compile = (schema: z.ZodType) => responseSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' });

describe('the response serializer', () => {
  const schema = z.object({
    id: objectId,
    at: timestamp,
    when: z.date(),
    tags: z.array(z.string()),
    note: z.string().optional(),
    gone: z.string().nullable(),
    extra: z.looseObject({ a: z.number() }),
  });

  it('writes ids as hex and dates as ISO strings, and sends only what the schema declares', () => {
    const id = new ObjectId();
    const at = new Date('2025-01-02T03:04:05.006Z');
    const json = compile(schema)({ id, at, when: at, tags: ['x'], gone: null, extra: { a: 1, b: [2] }, _pos: 7, secret: 's' });
    expect(JSON.parse(json)).toEqual({
      id: id.toHexString(),
      at: '2025-01-02T03:04:05.006Z',
      when: '2025-01-02T03:04:05.006Z',
      tags: ['x'],
      gone: null,
      extra: { a: 1, b: [2] },
    });
  });

  it('refuses to write an answer missing a required field (a 500, not a silent gap)', () => {
    expect(() => compile(schema)({ at: new Date(), when: new Date(), tags: [], gone: null, extra: { a: 1 } })).toThrow(/"id" is required/);
  });
});

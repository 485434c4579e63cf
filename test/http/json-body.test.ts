import { describe, expect, it } from 'vitest';
import { jsonDepth, MAX_JSON_DEPTH } from '../../src/http/json-body.ts';
import { startTestServer } from '../support/api.ts';

describe('jsonDepth', () => {
  it('counts nesting of arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"quote \\" [[[[ still a string"}')).toBe(1);
    expect(jsonDepth('[' .repeat(100) + ']'.repeat(100), 10)).toBe(11);
  });
});

describe('deeply nested bodies', () => {
  it('are refused with 400 before anything walks them, and appended nothing', async () => {
    const t = await startTestServer('jsondepth');
    try {
      const user = await t.api.register('nester');
      const before = await t.server.services.store.headPosition();
      for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
        const response = await t.server.app.inject({
          method: 'POST',
          url: '/v1/revolts',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'idempotency-key': `deep-${depth}` },
          payload: `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        });
        expect(response.statusCode).toBe(400);
        expect(JSON.parse(response.body).error.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
      }
      expect(await t.server.services.store.headPosition()).toBe(before);
      const fine = await t.api.request('POST', '/v1/revolts', { token: user.token, body: { name: 'Shallow' } });
      expect(fine.status).toBe(201);
      expect(await t.server.services.store.headPosition()).toBeGreaterThan(before);
    } finally {
      await t.close();
    }
  });
});

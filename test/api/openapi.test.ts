import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/commands/errors.ts';
import { startTestServer } from '../support/api.ts';

/**
 * /openapi.json documents what every route answers, so clients can generate SDKs from it: each operation declares
 * its success response (200/201 with a JSON schema, or 204 without content) and its error responses, all with the
 * one Error schema. Walks every documented operation, so a route added later is held to it too.
 */

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('openapi');
});
afterAll(async () => {
  await t?.close();
});

interface Response {
  content?: Record<string, { schema?: Record<string, unknown> }>;
}
interface Operation {
  security?: unknown[];
  responses?: Record<string, Response>;
}

const ERROR_REF = '#/components/schemas/Error';
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);

it('declares every operation’s success and error responses, errors with the one Error schema', async () => {
  const doc = await t.api.request('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  const operations = Object.entries(doc.body.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, operation })),
  );
  expect(operations.length).toBeGreaterThan(40);
  const problems: string[] = [];
  for (const { name, method, operation } of operations) {
    const responses = operation.responses ?? {};
    const statuses = Object.keys(responses);
    const successes = statuses.filter((s) => s.startsWith('2'));
    if (successes.length === 0) problems.push(`${name}: no success response`);
    for (const status of successes) {
      const { content } = responses[status]!;
      if (status === '204' && content) problems.push(`${name}: 204 with content`);
      if (status !== '204' && !Object.values(content ?? {}).some((c) => c.schema && Object.keys(c.schema).length > 0)) {
        problems.push(`${name}: ${status} without a schema`);
      }
    }
    const needed = ['400', '500'];
    if (!(Array.isArray(operation.security) && operation.security.length === 0)) needed.push('401');
    if (MUTATING.has(method)) needed.push('409', '422');
    for (const status of needed) if (!statuses.includes(status)) problems.push(`${name}: no ${status}`);
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      const schema = responses[status]!.content?.['application/json']?.schema;
      if (schema?.$ref !== ERROR_REF) problems.push(`${name}: ${status} is not the Error schema`);
    }
  }
  expect(problems).toEqual([]);
});

it('documents the Error schema with every code of the catalogue', async () => {
  const doc = await t.api.request('GET', '/openapi.json');
  const error = doc.body.components.schemas.Error;
  expect(error.properties.error.properties.code.enum).toEqual(Object.keys(ERROR_CATALOGUE));
  expect(error.properties.error.required).toEqual(['code', 'message']);
});

it('refers to the shared representations by name', async () => {
  const doc = await t.api.request('GET', '/openapi.json');
  const json = (path: string, method: string, status: string) => doc.body.paths[path][method].responses[status].content['application/json'].schema;
  expect(json('/v1/revolts/{revoltId}', 'get', '200')).toEqual({ $ref: '#/components/schemas/Revolt' });
  expect(json('/v1/revolts', 'post', '201')).toEqual({ $ref: '#/components/schemas/Revolt' });
  // Joining answers the revolt with its rules channel (docs/revolt-settings.md).
  expect(json('/v1/invites/{code}', 'post', '200')).toEqual({ $ref: '#/components/schemas/JoinedRevolt' });
  expect(Object.keys(doc.body.components.schemas.JoinedRevolt.properties)).toEqual([...Object.keys(doc.body.components.schemas.Revolt.properties), 'rulesChannel']);
  expect(json('/v1/users/@me', 'patch', '200')).toEqual({ $ref: '#/components/schemas/User' });
  expect(json('/v1/revolts/{revoltId}/invite', 'post', '200')).toEqual(json('/v1/invites/{code}', 'get', '200'));
  expect(doc.body.components.schemas.Revolt.properties.stats.properties.memberCount).toBeDefined();
});

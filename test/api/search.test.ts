import { describe, expect, it } from 'vitest';
import { fileServer } from '../support/file-server.ts';

const t = fileServer('search');

describe('message search on PostgreSQL full-text search', () => {
  it('hostile queries answer 200 or 400, never 5xx; the read model equals a rebuild from position 0', async () => {
    const owner = await t.api.register('searcher');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Searching' } })).body;
    const channel = revolt.channels[0] as string;
    let last = 0;
    for (const content of ['the "quoted" plan', 'ünïcode 日本語 plan', 'a & b | !c <-> d:*']) {
      const res = await t.api.request('POST', `/v1/channels/${channel}/messages`, { token: owner.token, body: { content } });
      last = Number(res.headers['x-event-position']);
    }
    const headers = { 'x-min-position': String(last) };
    const search = (q: string) => t.api.request('GET', `/v1/revolts/${revolt.id}/messages/search?${new URLSearchParams({ q })}`, { token: owner.token, headers });
    expect((await search('"plan quoted"')).body.items).toHaveLength(0);
    expect((await search('"quoted plan"')).body.items).toHaveLength(1);
    expect((await search('"quoted" plan')).body.items).toHaveLength(1);
    expect((await search('日本語')).body.items).toHaveLength(1);
    for (const q of ['&', '|', '!', '<->', ':*', '"', "'", '\\', '(((', '-', 'or', '🙂', 'x'.repeat(100), 'a & b | !c']) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
    }
    expect((await search('x'.repeat(101))).status).toBe(400);
    expect((await search('\u0000')).status).toBe(400);

    const { engine, services } = t.server;
    expect(await engine.waitForPosition('search', await services.store.headPosition(), 10_000)).toBe(true);
    const before = await services.search.rows();
    expect(before).toHaveLength(3);
    await services.search.truncate();
    await engine.rebuild('search');
    expect(await services.search.rows()).toEqual(before);
  });
});

import { MongoClient, type Db } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_COLLECTION, IdempotencyRecords, KEPT_FOR_MS, type ClaimOutcome, type HeldClaim } from '../../src/http/idempotency-records.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { isolatedEngines, MONGO_URL } from '../support/engines.ts';

const engines = isolatedEngines('idemrec');
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  mongo = await MongoClient.connect(MONGO_URL);
  db = mongo.db(engines.id);
});
afterAll(async () => {
  await mongo?.close();
  await engines.drop();
});

const TIMEOUT_MS = 600;
const records = () => new IdempotencyRecords(db, TIMEOUT_MS, pino({ level: 'silent' }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let n = 0;
const freshKey = () => `key-${++n}-${Date.now()}`;
const running = (outcome: ClaimOutcome): HeldClaim => {
  if (outcome.kind !== 'run') throw new Error(`expected to run, got ${outcome.kind}`);
  return outcome.claim;
};
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
const settled = (promise: Promise<unknown>) => promise.catch((error: unknown) => error);
const response = { status: 201, body: '{"id":"1"}', headers: { 'content-type': 'application/json' } };

describe('Idempotency-Key records (MongoDB)', () => {
  it('are operational state that no read model rebuild drops', () => {
    expect(readModels.flatMap((model) => model.collections.map((c) => c.name))).not.toContain(IDEMPOTENCY_COLLECTION);
  });

  it('a first request runs; a retry while it runs gets 409 with Retry-After; a recorded answer is replayed', async () => {
    const store = records();
    const key = freshKey();
    const first = running(await store.claim(key, 'f1'));
    expect(first.ids.resumed).toBe(false);
    const busy = await failure(store.claim(key, 'f1'));
    expect(busy).toMatchObject({ status: 409, code: 'request_in_progress', headers: { 'retry-after': '1' } });
    await store.record(first, response);
    expect(await store.claim(key, 'f1')).toEqual({ kind: 'replay', response });
    expect(await failure(store.claim(key, 'f2'))).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('Retry-After counts the seconds until the claim can be taken over', async () => {
    const store = new IdempotencyRecords(db, 10_000, pino({ level: 'silent' }));
    const key = freshKey();
    running(await store.claim(key, 'f'));
    expect(await failure(store.claim(key, 'f'))).toMatchObject({ headers: { 'retry-after': '10' } });
  });

  it('a claim that timed out is taken over by exactly one retry, which draws the same ids', async () => {
    const store = records();
    const key = freshKey();
    const first = running(await store.claim(key, 'f'));
    const firstIds = [first.ids.objectId(), first.ids.nextAppend('s')(0)];
    await sleep(TIMEOUT_MS + 50);
    const retries = await Promise.all([records().claim(key, 'f'), records().claim(key, 'f'), records().claim(key, 'f')].map(settled));
    const winners = retries.filter((r): r is ClaimOutcome => (r as ClaimOutcome | undefined)?.kind === 'run');
    expect(winners).toHaveLength(1);
    expect(retries.filter((r) => (r as { code?: string } | undefined)?.code === 'request_in_progress')).toHaveLength(2);
    const taken = running(winners[0]!);
    expect(taken.ids.resumed).toBe(true);
    expect([taken.ids.objectId(), taken.ids.nextAppend('s')(0)]).toEqual(firstIds);
    // The first attempt lost its claim: what it records now is ignored.
    await store.record(first, response);
    expect(await failure(records().claim(key, 'f'))).toMatchObject({ code: 'request_in_progress' });
  });

  it('a refused request frees the key for a new request; a failed one lets the retry run at once with the same ids', async () => {
    const store = records();
    const refused = freshKey();
    await store.refused(running(await store.claim(refused, 'f')));
    expect(await db.collection(IDEMPOTENCY_COLLECTION).countDocuments({ _id: refused as never })).toBe(0);
    expect(running(await store.claim(refused, 'another request')).ids.resumed).toBe(false);

    const failed = freshKey();
    const first = running(await store.claim(failed, 'f'));
    const id = first.ids.objectId();
    await store.release(first);
    const retry = running(await store.claim(failed, 'f'));
    expect(retry.ids.resumed).toBe(true);
    expect(retry.ids.objectId()).toBe(id);
    // That retry being refused keeps the record: a later retry must still recognise the first attempt's appends.
    await store.refused(retry);
    const later = running(await store.claim(failed, 'f'));
    expect(later.ids.objectId()).toBe(id);
  });

  it('records older than a day are deleted', async () => {
    const old = freshKey();
    const longAgo = new Date(Date.now() - KEPT_FOR_MS - 60_000);
    await db.collection(IDEMPOTENCY_COLLECTION).insertOne({ _id: old as never, fingerprint: 'f', seed: 's', startedAt: longAgo, claimedAt: longAgo, response });
    await records().claim(freshKey(), 'f'); // a new process's first claim purges
    await expect.poll(() => db.collection(IDEMPOTENCY_COLLECTION).countDocuments({ _id: old as never })).toBe(0);
  });
});

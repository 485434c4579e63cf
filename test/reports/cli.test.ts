import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { EXPORT_ALLOW_LIST } from '../../src/reports/export/allow-list.ts';
import { runReport } from '../../src/reports/engine/replay.ts';
import { renderReport } from '../../src/reports/formats/index.ts';
import { revoltStatistics } from '../../src/reports/revolt-statistics/accumulator.ts';
import { DATABASE_URL, makeStore, randomSchema } from '../events/store/postgres-support.ts';
import { parseCsv } from './csv-parser.ts';
import { completed, joined, log, message, pledged, R1, registered, revoltCreated, U1, U2 } from './history.ts';

let store: EventStore;
let schema: string;
let cleanup: () => Promise<void>;
let dir: string;

/** Runs a CLI of src/reports/cli against this test's store: stdout and stderr apart. */
function cli(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/reports/cli/${script}.ts`, ...args], {
      env: { ...process.env, EVENTSTORE_URL: `${DATABASE_URL}?schema=${schema}`, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Events carrying every kind of personal data the log holds. */
const personal = [
  registered(U1, 'ada'),
  registered(U2, 'bob'),
  { type: 'SessionStarted', data: { sessionId: 's1', userId: U1, tokenHash: 'TOKENHASH', expiresAt: '2026-04-01T00:00:00.000Z' } },
  { type: 'EmailVerificationRequested', data: { userId: U1, tokenId: U1, tokenHash: 'TOKENHASH', expiresAt: '2026-04-01T00:00:00.000Z', requestedAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'ValueClaimed', data: { kind: 'email', ownerId: U1, claimedAt: '2026-03-01T00:00:00.000Z' } },
  revoltCreated(R1, 'Alpha', true),
  joined(R1, U1),
  joined(R1, U2),
  message(R1, U1, '2026-03-05T10:00:00Z'),
  pledged('d1', R1, U2, 500),
  completed('d1', R1, U2, 500, 'usd', '2026-03-06T10:00:00Z'),
];

beforeAll(async () => {
  schema = randomSchema();
  ({ store, cleanup } = await makeStore(schema));
  dir = await mkdtemp(join(tmpdir(), 'rn-export-'));
  const events = log(...personal);
  events[9]!.data = { ...(events[9]!.data as object), donorEmail: 'bob@example.com', donorName: 'Bob', stripePaymentIntentId: 'pi_secret', isAnonymous: false, pledgedAt: '2026-03-05T00:00:00.000Z' };
  for (const e of events) await store.appendToStream(`cli-test-${randomUUID()}`, [{ id: randomUUID(), type: e.type, data: e.data, metadata: e.metadata }], 'any');
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanup?.();
});

describe('npm run export', () => {
  it('writes NDJSON of the allow-listed fields only: no email, token or password hash, no unlisted type', async () => {
    const { code, stdout, stderr } = await cli('export', 'events');
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => l.type)).toEqual(['UserRegistered', 'UserRegistered', 'RevoltCreated', 'MemberJoined', 'MemberJoined', 'MessageSent', 'DonationPledged', 'DonationCompleted']);
    for (const line of lines) expect(Object.keys(line.data).every((field) => EXPORT_ALLOW_LIST[line.type]!.includes(field))).toBe(true);
    expect(stdout).not.toMatch(/@example\.com|TOKENHASH|passwordHash|pi_secret|donorName/);
    expect(lines[0]).toEqual({ position: 1, type: 'UserRegistered', occurredAt: expect.any(String), data: { userId: U1, username: 'ada', discriminator: '0001', userType: 'supporter', joinedAt: '2026-03-01T00:00:00.000Z' } });
  });

  it('filters by types and time; refuses a type without an allow-list; writes a CSV per type', async () => {
    const some = await cli('export', 'events', '--types', 'MessageSent,DonationCompleted', '--from', '2026-03-06T00:00:00Z');
    expect(some.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).type)).toEqual(['DonationCompleted']);
    const refused = await cli('export', 'events', '--types', 'SessionStarted');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    const out = join(dir, 'csv');
    const csv = await cli('export', 'events', '--format', 'csv', '--out', out);
    expect(csv.code, csv.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['DonationCompleted.csv', 'DonationPledged.csv', 'MemberJoined.csv', 'MessageSent.csv', 'RevoltCreated.csv', 'UserRegistered.csv']);
    const users = parseCsv(await readFile(join(out, 'UserRegistered.csv'), 'utf8'));
    expect(users[0]).toEqual(['position', 'occurredAt', ...EXPORT_ALLOW_LIST.UserRegistered!]);
    expect(users.slice(1).map((r) => r[3])).toEqual(['ada', 'bob']);
    expect(await readFile(join(out, 'DonationPledged.csv'), 'utf8')).not.toMatch(/@|pi_secret/);
  });
});

describe('npm run report', () => {
  it('writes what the engine computes, in the format asked, with the same filters and as-of', async () => {
    const asOf = (await store.headPosition()) - 1;
    const { code, stdout, stderr } = await cli('report', 'revolt-statistics', '--format', 'csv', '--table', 'revolts', '--as-of', String(asOf), '--no-snapshots');
    expect(code, stderr).toBe(0);
    const catalogue = buildEventCatalogue();
    const run = await runReport({ store, upcast: catalogue.upcast.bind(catalogue) }, revoltStatistics, { bucket: 'day' }, asOf);
    expect(stdout).toBe([...renderReport(run, 'csv', { timeAxis: false, table: 'revolts' })].join(''));
    expect(parseCsv(stdout).slice(1).map((r) => [r[1], r[2], r[4]])).toEqual([['Alpha', '2', '0']]);
    expect(stderr).toContain(`as of position ${asOf}`);
  });

  it('refuses an unknown report or option with its usage and exit status 2', async () => {
    expect((await cli('report', 'nope')).code).toBe(2);
    const bad = await cli('report', 'financial', '--bucket', 'year');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: npm run report');
  });
});

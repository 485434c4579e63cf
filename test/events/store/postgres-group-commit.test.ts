import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError, type AppendResult } from '../../../src/events/store/port.ts';
import { DATABASE_URL, event } from './postgres-support.ts';
import { storeWithClient } from './postgres-suite.ts';

const stream = (name: string) => `${name}-${randomUUID()}`;

function fulfilled(results: PromiseSettledResult<AppendResult>[]): AppendResult[] {
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('postgres event store: group commit', () => {
  const { store, sql, schema } = storeWithClient();

  /** The transactions that wrote the events at these positions, one per position. */
  async function transactionsOf(positions: number[]): Promise<string[]> {
    const { rows } = await sql.query(`select position, tx_id::text as tx from ${schema}.events where position = any($1::bigint[])`, [positions]);
    const byPosition = new Map(rows.map((row) => [Number(row.position), row.tx as string]));
    return positions.map((position) => byPosition.get(position)!);
  }

  /** Holds the append lock in a transaction of its own until the returned function commits it. */
  async function holdAppendLock(): Promise<() => Promise<void>> {
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock(hashtext($1))', [`${schema}.events`]);
    return async () => {
      await holder.query('commit');
      await holder.end();
    };
  }

  /** The store's connections waiting for the append lock. */
  async function waitingAppends(): Promise<number[]> {
    const { rows } = await sql.query(
      `select pid from pg_stat_activity where usename = $1 and wait_event_type = 'Lock' and query like '%append_group%'`,
      ['postgres'],
    );
    return rows.map((row) => row.pid as number);
  }

  it('commits the appends made together in one transaction, in order, failing only the one whose expectation does not hold', async () => {
    const [a, b, c] = [stream('a'), stream('b'), stream('c')];
    await store.appendToStream(b, [event()], 'no_stream');

    const results = await Promise.allSettled([
      store.appendToStream(a, [event(), event()], 'no_stream'),
      store.appendToStream(b, [event()], 5),
      store.appendToStream(c, [event()], 'no_stream'),
      // Checked against the stream as the group's earlier appends left it.
      store.appendToStream(a, [event()], 1),
      store.appendToStream(a, [event()], 'no_stream'),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
    const [wrongB, wrongA] = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(wrongB).toBeInstanceOf(WrongExpectedRevisionError);
    expect(wrongB).toMatchObject({ streamId: b, expected: 5, actual: 0 });
    expect(wrongA).toMatchObject({ streamId: a, expected: 'no_stream', actual: 2 });

    const appended = fulfilled(results);
    expect(appended.map((result) => result.nextExpectedRevision)).toEqual([1, 0, 2]);
    const positions = appended.map((result) => result.position);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(new Set(await transactionsOf(positions)).size).toBe(1);
    expect((await store.readStream(a)).map((e) => e.position)).toEqual([positions[0]! - 1, positions[0], positions[2]]);
    expect(await store.readStream(b)).toHaveLength(1);
  });

  it('chains the expectations of a group on one stream, interleaved with another, multi-event appends included', async () => {
    const [x, y] = [stream('x'), stream('y')];
    const head = await store.headPosition();
    const batch = (n: number) => Array.from({ length: n }, () => event());

    const results = await Promise.allSettled([
      store.appendToStream(x, batch(2), 'no_stream'),
      store.appendToStream(y, batch(1), 'any'),
      store.appendToStream(x, batch(1), 1),
      store.appendToStream(x, batch(3), 2),
      store.appendToStream(y, batch(2), 0),
      store.appendToStream(x, batch(1), 'stream_exists'),
      store.appendToStream(x, batch(2), 0),
      store.appendToStream(x, batch(1), 6),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[6] as PromiseRejectedResult).reason).toMatchObject({ streamId: x, expected: 0, actual: 6 });
    const appended = fulfilled(results);
    expect(appended.map((result) => result.nextExpectedRevision)).toEqual([1, 0, 2, 5, 2, 6, 7]);
    const all = await store.readAll({ after: head });
    expect(all.map((e) => [e.streamId, e.revision])).toEqual([
      [x, 0], [x, 1], [y, 0], [x, 2], [x, 3], [x, 4], [x, 5], [y, 1], [y, 2], [x, 6], [x, 7],
    ]);
    expect(appended.map((result) => result.position)).toEqual([1, 2, 3, 6, 8, 9, 10].map((i) => all[i]!.position));
    expect(new Set(await transactionsOf(all.map((e) => e.position))).size).toBe(1);
  });

  it('fails alone an append that PostgreSQL refuses (an event id already stored), the others of its group committing in order', async () => {
    const stored = event();
    await store.appendToStream(stream('first'), [stored], 'no_stream');

    const results = await Promise.allSettled([
      store.appendToStream(stream('before'), [event()], 'any'),
      store.appendToStream(stream('duplicate'), [event(), { ...event(), id: stored.id }], 'any'),
      store.appendToStream(stream('after'), [event()], 'any'),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    const [before, after] = fulfilled(results).map((result) => result.position);
    expect(after).toBeGreaterThan(before!);
    expect((await store.readAll({ after: before! - 1 })).map((e) => e.position)).toEqual([before, after]);
  });

  it('gathers the appends made while a group is in flight into the next group: one round trip, positions in order', async () => {
    const release = await holdAppendLock();
    let lone: Promise<AppendResult>;
    let next: Promise<AppendResult>[];
    try {
      lone = store.appendToStream(stream('lone'), [event()], 'any');
      await eventually(async () => (await waitingAppends()).length === 1, 'the first group to wait for the lock');
      next = Array.from({ length: 10 }, (_, i) => store.appendToStream(stream(`next-${i}`), [event()], 'no_stream'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The second group waits for the first rather than taking a connection of its own.
      expect(await waitingAppends()).toHaveLength(1);
    } finally {
      await release();
    }

    const first = await lone;
    const rest = await Promise.all(next);
    const positions = rest.map((result) => result.position);
    expect(positions[0]).toBeGreaterThan(first.position);
    expect(positions).toEqual(Array.from({ length: 10 }, (_, i) => positions[0]! + i));
    const [firstTx, ...restTx] = await transactionsOf([first.position, ...positions]);
    expect(new Set(restTx).size).toBe(1);
    expect(restTx[0]).not.toBe(firstTx);
  });

  it('tries again append by append a group whose connection PostgreSQL terminates mid-flush (it rolled the group back)', async () => {
    const head = await store.headPosition();
    const release = await holdAppendLock();
    let group: Promise<AppendResult>[];
    try {
      group = Array.from({ length: 5 }, (_, i) => store.appendToStream(stream(`retried-${i}`), [event()], 'no_stream'));
      await eventually(async () => (await waitingAppends()).length === 1, 'the group to wait for the lock');
      const [flushing] = await waitingAppends();
      await sql.query('select pg_terminate_backend($1)', [flushing]);
      await eventually(async () => (await waitingAppends()).some((pid) => pid !== flushing), 'the first append tried alone');
    } finally {
      await release();
    }

    const positions = (await Promise.all(group)).map((result) => result.position);
    expect((await store.readAll({ after: head })).map((e) => e.position)).toEqual(positions);
    expect(new Set(await transactionsOf(positions)).size).toBe(5);
  });

  it('loses nothing it acknowledged when its process is killed mid-group (SIGKILL)', async () => {
    const script = fileURLToPath(new URL('./append-until-killed.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, APPEND_SCHEMA: schema, WRITERS: '32' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const acked = () => output.split('\n').slice(0, -1).filter((line) => line.startsWith('acked '));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => acked().length >= 500, `500 acknowledged appends: ${output.slice(-500)}`, 30_000);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const ids = acked().flatMap((line) => line.split(' ').slice(1));
    const { rows } = await sql.query(
      `select id::text, stream_id, revision, tx_id::text as tx from ${schema}.events where stream_id like 'killed-%' order by position`,
    );
    const storedIds = new Set(rows.map((row) => row.id as string));
    expect(ids.filter((id) => !storedIds.has(id))).toEqual([]);
    // Every stream is whole (no revision missing), and appends did go in groups.
    const revisions = new Map<string, number[]>();
    for (const row of rows) revisions.set(row.stream_id, [...(revisions.get(row.stream_id) ?? []), Number(row.revision)]);
    for (const list of revisions.values()) expect(list).toEqual(list.map((_, i) => i));
    expect(new Set(rows.map((row) => row.tx)).size).toBeLessThan(acked().length);
  }, 60_000);
});

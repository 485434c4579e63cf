import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_COURSE_DIR } from '../../src/commands/course/folder.ts';
import { createEventStore } from '../../src/events/store/index.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { isolatedEngines } from '../support/engines.ts';
import { runScript } from '../support/process.ts';

const engines = isolatedEngines('operator_cli');
let store: EventStore;
let dir: string;

/** Runs one of the operators' CLIs (`npm run course`, `npm run staff`) against this file's event store. */
function cli(script: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return runScript(script, args, { EVENTSTORE_URL: engines.env.EVENTSTORE_URL, LOG_LEVEL: 'silent' });
}
const course = (...args: string[]) => cli('src/commands/course/cli/course.ts', ...args);
const staff = (...args: string[]) => cli('src/commands/staff/cli/staff.ts', ...args);

beforeAll(async () => {
  store = await createEventStore(engines.env.EVENTSTORE_URL);
  dir = await mkdtemp(join(tmpdir(), 'course-'));
  await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
});
afterAll(async () => {
  await store?.close();
  await engines.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run course -- import', () => {
  it('publishes the folder once: the same folder again appends nothing; a changed letter appends one revision', async () => {
    const first = await course('import', dir, '--by', 'operator:ada');
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('published: 1, 2, 3');
    const events = await store.readStream('course');
    expect(events.map((e) => e.type)).toEqual(Array(30).fill('LetterPublished'));
    expect(events[0]!.metadata.actorId).toBe('operator:ada');

    const again = await course('import', dir);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('unchanged: 30 letters');
    expect(await store.readStream('course')).toHaveLength(30);

    const file = join(dir, '05-welcoming-well.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('estimatedReadTime: 2', 'estimatedReadTime: 3'));
    const changed = await course('import', dir);
    expect(changed.code, changed.output).toBe(0);
    expect(changed.output).toContain('revised: 5');
    const after = await store.readStream('course', { fromRevision: 30 });
    expect(after.map((e) => [e.type, (e.data as { letterId: number }).letterId, (e.data as { revision: number }).revision])).toEqual([['LetterRevised', 5, 2]]);
    expect(after[0]!.data).toMatchObject({ estimatedReadTime: 3 });
  });

  it('a bad letter is named with its file and field, and nothing is appended', async () => {
    const before = (await store.readStream('course')).length;
    const file = join(dir, '07-listening-before-leading.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('prerequisites: [6]', 'prerequisites: [6, 40]'));
    const bad = await course('import', dir);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('07-listening-before-leading.md: prerequisites.1');
    expect(await store.readStream('course')).toHaveLength(before);
    expect((await course('export', dir)).code).toBe(2);
  });
});

describe('npm run staff', () => {
  const ada = 'a'.repeat(24);
  const bob = 'b'.repeat(24);

  it('grants and revokes roles, each change an event on the hash-chained roster, and lists them', async () => {
    expect((await staff('grant', ada, 'operator', '--by', 'operator:root', '--reason', 'runs the course')).output).toContain(`granted operator to ${ada}`);
    expect((await staff('grant', ada, 'analyst')).code).toBe(0);
    expect((await staff('grant', bob, 'auditor')).code).toBe(0);
    const again = await staff('grant', ada, 'operator');
    expect(again.output).toContain('nothing to do');
    expect((await staff('revoke', ada, 'analyst')).output).toContain(`revoked analyst from ${ada}`);

    const roster = await store.readStream('audit-roster');
    expect(roster.map((e) => [e.type, (e.data as { role: string }).role])).toEqual([
      ['StaffRoleGranted', 'operator'],
      ['StaffRoleGranted', 'analyst'],
      ['StaffRoleGranted', 'auditor'],
      ['StaffRoleRevoked', 'analyst'],
    ]);
    expect(roster[0]).toMatchObject({ data: { userId: ada, grantedBy: 'operator:root', reason: 'runs the course' }, metadata: { actorId: 'operator:root' } });
    expect(roster[1]!.metadata.previousHash).toBe(roster[0]!.metadata.hash);

    const list = await staff('list');
    expect(list.output.trim().split('\n').sort()).toEqual([`${ada} operator`, `${bob} auditor`]);
    expect((await staff('list', 'auditor')).output.trim()).toBe(bob);
  });

  it('refuses an unknown role, a bad user id or verb with exit status 2, appending nothing', async () => {
    const before = (await store.readStream('audit-roster')).length;
    expect((await staff('grant', ada, 'emperor')).code).toBe(2);
    expect((await staff('grant', 'not-an-id', 'operator')).code).toBe(2);
    expect((await staff('promote', ada, 'operator')).code).toBe(2);
    expect((await staff('list', 'emperor')).code).toBe(2);
    expect(await store.readStream('audit-roster')).toHaveLength(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore } from '../../../src/events/store/index.ts';
import type { EventStore } from '../../../src/events/store/port.ts';
import { isolatedEngines } from '../../support/engines.ts';
import { runScript } from '../../support/process.ts';

const engines = isolatedEngines('announce_cli');
let store: EventStore;

const announce = (...args: string[]) => runScript('src/commands/notifications/cli/announce.ts', args, { EVENTSTORE_URL: engines.env.EVENTSTORE_URL, LOG_LEVEL: 'silent' });
const posted = async () => (await store.readAll({ after: 0, maxCount: 100 })).filter((e) => e.type === 'AnnouncementPosted');

beforeAll(async () => {
  store = await createEventStore(engines.env.EVENTSTORE_URL);
});
afterAll(async () => {
  await store?.close();
  await engines.drop();
});

describe('npm run announce', () => {
  it('posts an announcement to everyone, by the operator named', async () => {
    const run = await announce('--everyone', '--title', 'Maintenance', '--body', 'Tonight at 10', '--by', 'operator:ada');
    expect(run.code, run.output).toBe(0);
    const [event] = await posted();
    expect(event?.data).toMatchObject({ title: 'Maintenance', message: 'Tonight at 10', postedBy: 'operator:ada' });
    expect(event?.data).not.toHaveProperty('revoltId');
    expect(run.output).toContain(`announcement ${(event?.data as { announcementId: string }).announcementId} posted to everyone`);
  });

  it('refuses a missing title, both audiences or none, and a revolt that does not exist, posting nothing', async () => {
    const before = (await posted()).length;
    for (const args of [['--everyone', '--body', 'x'], ['--title', 't', '--body', 'x'], ['--everyone', '--revolt', 'a'.repeat(24), '--title', 't', '--body', 'x']]) {
      const run = await announce(...args);
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain('usage');
    }
    const missing = await announce('--revolt', 'a'.repeat(24), '--title', 't', '--body', 'x');
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('revolt not found');
    expect(await posted()).toHaveLength(before);
  });
});

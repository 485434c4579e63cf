import { randomUUID } from 'node:crypto';
import { ACHIEVEMENTS, type AchievementDefinition } from '../../src/commands/achievements/catalogue.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { ACHIEVEMENT_COUNTERS, achievementsReactor, type CountersDoc } from '../../src/reactors/achievements.ts';
import type { ReactorEngine } from '../../src/reactors/engine.ts';
import type { TestEnv } from '../projections/engine/helpers.ts';
import { reactorEnv, tallyEngine } from './support.ts';

export const catalogue = buildEventCatalogue();

export interface AchievementsEngineOptions {
  store: EventStore;
  /** The achievements catalogue the reactor runs with (the shipped one by default). */
  achievements?: readonly AchievementDefinition[];
  commands?: CommandHandler;
}

/** What runs the achievements reactor on `options.store`, for an engine: the catalogue, a command handler, the reactor. */
const onAchievements = ({ store, commands, achievements }: AchievementsEngineOptions) => ({
  store,
  catalogue,
  commands: commands ?? new CommandHandler(store, { catalogue }),
  reactors: [achievementsReactor(achievements ?? ACHIEVEMENTS)],
});

/** The achievements reactor on an engine of its own, as the tests run it (tallyEngine): quick polls and retries, silent. */
export function achievementsEngine({ db, prefix, ...options }: AchievementsEngineOptions & { db: TestEnv['db']; prefix: string }): ReactorEngine {
  return tallyEngine({ db, prefix, ...onAchievements(options) });
}

/** A test's own database and queues with achievements engines (stopped, and their queue obliterated, by cleanup). */
export async function achievementsEnv() {
  const env = await reactorEnv();
  return {
    ...env,
    engine: (options: AchievementsEngineOptions): ReactorEngine => env.reactorEngine(onAchievements(options)),
    counters(userId: string): Promise<CountersDoc | null> {
      return env.db.collection<CountersDoc>(ACHIEVEMENT_COUNTERS).findOne({ _id: userId });
    },
  };
}

export type AchievementsEnv = Awaited<ReturnType<typeof achievementsEnv>>;

/** Appends a fixture's event (its type and data) to `streamId` as a command would, at `occurredAt`; returns it as recorded. */
export async function record(store: EventStore, streamId: string, fixture: RecordedEvent, occurredAt = new Date().toISOString()): Promise<RecordedEvent> {
  catalogue.assertValid(fixture.type, fixture.data);
  const metadata = { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt, schemaVersion: catalogue.schemaVersionOf(fixture.type) };
  const { position } = await store.appendToStream(streamId, [{ id: randomUUID(), type: fixture.type, data: fixture.data, metadata }], 'any');
  return (await store.readAll({ after: position - 1, maxCount: 1 }))[0]!;
}

/** Every AchievementUnlocked of the store, in order. */
export async function unlocks(store: EventStore): Promise<RecordedEvent<'AchievementUnlocked', { userId: string; achievementId: string; unlockedAt: string }>[]> {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll({ after: 0, maxCount: 1000 }); page.length > 0; page = await store.readAll({ after: page.at(-1)!.position, maxCount: 1000 })) {
    all.push(...page);
  }
  return all.filter((event) => event.type === 'AchievementUnlocked') as never;
}

/** [userId, achievementId] of each unlock, in order. */
export const unlocked = async (store: EventStore) => (await unlocks(store)).map(({ data }) => [data.userId, data.achievementId]);

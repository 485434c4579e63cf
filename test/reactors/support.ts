import { Queue } from 'bullmq';
import type { Db } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { CommandHandler } from '../../src/commands/handler.ts';
import type { Decider } from '../../src/commands/decider.ts';
import { EventCatalogue } from '../../src/events/catalogue.ts';
import type { NewEvent, RecordedEvent } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { laneQueuePrefix, redisOptions } from '../../src/projections/engine/queues.ts';
import { createReactorEngine, REACTORS, type ReactorEngine, type ReactorEngineOptions } from '../../src/reactors/engine.ts';
import type { AnyReactor, Issue, Load, Reactor } from '../../src/reactors/reactor.ts';
import { REDIS_URL, testEnv, type TestEnv } from '../projections/engine/helpers.ts';

/** The test's one command: tally `of`, the id of a MessageSent, on a stream of tallies. */
interface Tally {
  of: string;
}
type Tallied = { type: 'Tallied'; data: { of: string } };

/** Appends a Tallied each time it is asked, whatever came before: a command run twice shows as two events. */
export const tallyDecider: Decider<Tally, number, Tallied> = {
  initialState: 0,
  evolve: (count) => count + 1,
  decide: (command) => [{ type: 'Tallied', data: { of: command.of } }],
};

export const catalogue = new EventCatalogue([{ Tallied: z.object({ of: z.string() }) }]);

export const tallyStream = (channel: string) => `tally-${channel}`;

export interface TallyReactor extends Reactor<{ type: 'MessageSent'; data: unknown }> {
  /** Per command issued: whether the handler found it applied already. */
  issued: boolean[];
  /** Runs after each command, before react returns: a place to fail or hang in the window before the checkpoint. */
  afterAppend?: (event: RecordedEvent) => Promise<void>;
}

/** On each MessageSent, one Tallied on the tally stream of its channel (its stream). */
export function tallyReactor(): TallyReactor {
  const reactor: TallyReactor = {
    name: 'tally',
    handles: ['MessageSent'],
    issued: [],
    async react(event, issue) {
      const result = await issue(tallyStream(event.streamId), tallyDecider, { of: event.id });
      reactor.issued.push(result.alreadyApplied ?? false);
      await reactor.afterAppend?.(event);
    },
  };
  return reactor;
}

/** Every Tallied of the store: the MessageSent ids they tally, with their metadata. */
export async function tallies(store: EventStore): Promise<RecordedEvent[]> {
  const all = await store.readAll({ after: 0, maxCount: 10_000 });
  return all.filter((event) => event.type === 'Tallied');
}

/** `reactor`, counting the events it reacts to and noting per command it issues whether it was applied already. */
export function tracked<E extends NewEvent>(reactor: Reactor<E>): Reactor<E> & { reactions: number; issued: boolean[] } {
  const noted = {
    ...reactor,
    reactions: 0,
    issued: [] as boolean[],
    react(event: RecordedEvent & E, issue: Issue, load: Load) {
      noted.reactions += 1;
      const noting: Issue = async (streamId, decider, command) => {
        const result = await issue(streamId, decider, command);
        noted.issued.push(result.alreadyApplied ?? false);
        return result;
      };
      return reactor.react(event, noting, load);
    },
  };
  return noted;
}

/** A voice sweep's effects in the store: who was removed from which channel, and whose claims were released. */
export async function sweeps(store: EventStore): Promise<{ left: RecordedEvent[]; released: RecordedEvent[] }> {
  const all = await store.readAll({ after: 0, maxCount: 10_000 });
  return {
    left: all.filter((e) => e.type === 'VoiceParticipantLeft' && (e.data as { reason: string }).reason === 'removed'),
    released: all.filter((e) => e.type === 'VoiceChannelReleased'),
  };
}

export interface TallyEngineOptions extends Partial<ReactorEngineOptions> {
  store: EventStore;
  db: Db;
  prefix: string;
  reactors: readonly AnyReactor[];
}

/** A reactor engine as the tests run it: a command handler of its own on its catalogue (the tally one unless given), quick polls and retries, silent. */
export function tallyEngine({ store, catalogue: events = catalogue, ...options }: TallyEngineOptions): ReactorEngine {
  return createReactorEngine({
    store,
    commands: new CommandHandler(store, { catalogue: events }),
    redis: { url: REDIS_URL },
    catalogue: events,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    pollIntervalMs: 20,
    retryBackoff: { initialMs: 10, maxMs: 50 },
    ...options,
  });
}

/** The projection engines' test environment, with reactor engines of its own (stopped and cleared by cleanup). */
export interface ReactorEnv extends TestEnv {
  reactorEngine(options: Omit<TallyEngineOptions, 'db' | 'prefix'>): ReactorEngine;
}

export async function reactorEnv(): Promise<ReactorEnv> {
  const env = await testEnv();
  const lanes = new Set<string>();
  return {
    ...env,
    reactorEngine(options) {
      for (const reactor of options.reactors) lanes.add(reactor.name);
      const engine = tallyEngine({ db: env.db, prefix: env.prefix, ...options });
      env.engines.push(engine);
      return engine;
    },
    async cleanup() {
      await env.cleanup();
      for (const name of lanes) {
        const queue = new Queue(name, { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(env.prefix, REACTORS.kind) });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
  };
}

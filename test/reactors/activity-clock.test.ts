import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_CLOCK_STREAM, activityClockDecider } from '../../src/commands/activity/decide.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { laneQueuePrefix, redisOptions } from '../../src/projections/engine/queues.ts';
import { ActivityClock } from '../../src/reactors/activity-clock.ts';
import { given } from '../support/decider.ts';
import { eventually, randomName, REDIS_URL } from '../projections/engine/helpers.ts';

const advance = (asOf: string) => ({ type: 'AdvanceActivityWindow' as const, asOf });
const advanced = (asOf: string) => ({ type: 'ActivityWindowAdvanced' as const, data: { asOf } });

describe('the activity clock moves forward only', () => {
  it('records a later time, and nothing for the same or an earlier one', () => {
    given(activityClockDecider).when(advance('2026-01-01T00:00:00.000Z')).then([advanced('2026-01-01T00:00:00.000Z')]);
    const ticked = [advanced('2026-01-01T01:00:00.000Z')];
    given(activityClockDecider, ticked).when(advance('2026-01-01T02:00:00.000Z')).then([advanced('2026-01-01T02:00:00.000Z')]);
    given(activityClockDecider, ticked).when(advance('2026-01-01T01:00:00.000Z')).then([]);
    given(activityClockDecider, ticked).when(advance('2026-01-01T00:59:59.000Z')).then([]);
  });
});

describe('the activity clock as a scheduled BullMQ job', () => {
  const clocks: ActivityClock[] = [];
  const prefixes: string[] = [];
  afterEach(async () => {
    await clocks[0]?.unschedule();
    for (const clock of clocks.splice(0)) await clock.stop();
    for (const prefix of prefixes.splice(0)) {
      const queue = new Queue('activity-clock', { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(prefix, 'clock') });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  const scene = () => {
    const store = new MemoryEventStore();
    const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
    const prefix = randomName();
    prefixes.push(prefix);
    const clock = (everyMs: number) => {
      const made = new ActivityClock({ redis: { url: REDIS_URL }, prefix, commands, logger: pino({ level: 'silent' }), everyMs });
      clocks.push(made);
      return made;
    };
    const ticks = async () => (await store.readStream(ACTIVITY_CLOCK_STREAM)).map((e) => (e.data as { asOf: string }).asOf);
    return { clock, ticks };
  };

  it('two processes starting it share one schedule; the clock moves by whole slots, each recorded once', async () => {
    const { clock, ticks } = scene();
    const [one, two] = [clock(300), clock(300)];
    await Promise.all([one.start(), two.start()]);
    expect([await one.schedules(), await two.schedules()]).toEqual([1, 1]);
    const recorded = await eventually(async () => {
      const asOf = await ticks();
      return asOf.length >= 3 ? asOf : undefined;
    }, 10_000, 'three ticks');
    for (const asOf of recorded) expect(Date.parse(asOf) % 300).toBe(0);
    expect(new Set(recorded).size).toBe(recorded.length);
    expect([...recorded].sort()).toEqual(recorded);
  });

  it('survives a restart: a process started again keeps the one schedule and the clock goes on', async () => {
    const { clock, ticks } = scene();
    const first = clock(300);
    await first.start();
    await eventually(async () => ((await ticks()).length >= 1 ? true : undefined), 10_000, 'a first tick');
    await first.stop();
    clocks.splice(clocks.indexOf(first), 1);
    const before = (await ticks()).length;
    const again = clock(300);
    await again.start();
    expect(await again.schedules()).toBe(1);
    await eventually(async () => ((await ticks()).length > before ? true : undefined), 10_000, 'a tick after the restart');
  });

  it('the slot of a time is that time rounded down to the period', () => {
    const { clock } = scene();
    const hourly = clock(60 * 60 * 1000);
    expect(hourly.slotOf(Date.parse('2026-03-01T10:59:59.999Z')).toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });
});

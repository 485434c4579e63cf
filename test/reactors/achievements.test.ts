import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACHIEVEMENTS } from '../../src/commands/achievements/catalogue.ts';
import { achievementsDecider } from '../../src/commands/achievements/decide.ts';
import { achievementStream } from '../../src/commands/achievements/events.ts';
import { changeFollow } from '../../src/commands/follows/execute.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { RequestIds } from '../../src/commands/request-ids.ts';
import { userStream } from '../../src/commands/users/decide.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { ACHIEVEMENTS_REACTOR } from '../../src/reactors/achievements.ts';
import { eachWithMemoryStore, eachWithPostgresStore } from '../support/each-test.ts';
import { donationCompleted, donationRefunded, hexId, ids, messageId, messageSent, revoltCreated, time, userRegistered } from '../projections/fixtures.ts';
import { at } from '../projections/support.ts';
import { achievementsEnv, catalogue, record, unlocked, unlocks } from './achievements-support.ts';

const { ada, bob } = ids;
const LANE = ACHIEVEMENTS_REACTOR;

/** ada's n-th message, sent n minutes into the scenario. */
const message = (store: EventStore, n: number) => record(store, `message-${messageId(n)}`, messageSent(n), time(n));
const follow = (store: EventStore, type: 'UserFollowed' | 'UserUnfollowed', followerId: string, followeeId: string, n: number) =>
  record(store, `follows-${followerId}`, at(n, type, { followerId, followeeId, at: time(n) }), time(n));

async function caughtUp(store: EventStore, engine: { waitForPosition(lane: string, position: number, timeoutMs: number): Promise<boolean> }) {
  expect(await engine.waitForPosition(LANE, await store.headPosition(), 15_000)).toBe(true);
}

describe('the achievements reactor', () => {
  const t = eachWithMemoryStore(achievementsEnv);

  it('counts the whole history and unlocks once, caused and dated by the event that crossed the threshold', async () => {
    const first = await message(t.store, 1); // before the reactor ever ran: it starts from the first event
    const engine = t.env.engine({ store: t.store });
    await engine.start();
    const second = await message(t.store, 2);
    const founded = await record(t.store, `revolt-${ids.revolt}`, revoltCreated(3, { ownerId: bob }), time(3));
    await caughtUp(t.store, engine);

    const events = await unlocks(t.store);
    expect(events.map(({ data }) => [data.userId, data.achievementId, data.unlockedAt])).toEqual([
      [ada, 'first_words', time(1)],
      [bob, 'founder', time(3)],
    ]);
    for (const [event, cause] of [[events[0]!, first], [events[1]!, founded]] as const) {
      expect(event.streamId).toBe(achievementStream(event.data.userId));
      expect(event.metadata).toMatchObject({ causationId: cause.id, correlationId: cause.metadata.correlationId, actorId: `reactor:${LANE}` });
    }
    expect(events[1]!.data).toMatchObject({ name: 'Founder', category: 'leadership', rarity: 'common', icon: '🏴' });
    expect(await t.env.counters(ada)).toMatchObject({ counters: { messagesSent: 2 }, unlocked: ['first_words'], _pos: second.position });
  });

  it('counts what events take back, and never unlocks an achievement twice when a counter crosses its threshold again', async () => {
    const engine = t.env.engine({ store: t.store });
    await engine.start();
    const followed = await follow(t.store, 'UserFollowed', bob, ada, 1);
    await follow(t.store, 'UserUnfollowed', bob, ada, 2);
    await follow(t.store, 'UserFollowed', bob, ada, 3);
    const paid = await record(t.store, `donation-${ids.donation}`, donationCompleted(4), time(4));
    await record(t.store, `donation-${ids.donation}`, donationRefunded(5, { amount: 2500, refundedTotal: 2500, full: true }), time(5));
    await record(t.store, `donation-${ids.donation}`, donationCompleted(6, { stripeEventId: 'evt_again' }), time(6));
    await caughtUp(t.store, engine);

    // Users are answered one after another within a run: the order across users depends on how the lane batched.
    const events = (await unlocks(t.store)).sort((a, b) => a.data.achievementId.localeCompare(b.data.achievementId));
    expect(events.map(({ data, metadata }) => [data.userId, data.achievementId, metadata.causationId])).toEqual([
      [ada, 'first_follower', followed.id],
      [ada, 'first_funds', paid.id],
      [bob, 'first_gift', paid.id],
    ]);
    expect((await t.env.counters(ada))?.counters).toEqual({ followers: 1, totalRaised: 2500 });
    expect((await t.env.counters(bob))?.counters).toEqual({ following: 1, totalDonated: 2500 });
  });

  it('redelivery: the same batch applied again, or by two workers at once, counts once and unlocks nothing more', async () => {
    const engine = t.env.engine({ store: t.store });
    await engine.start({ runWorkers: false, runFeeder: false });
    for (let n = 1; n <= 3; n++) await message(t.store, n);
    await record(t.store, `revolt-${ids.revolt}`, revoltCreated(4, { ownerId: bob }), time(4));
    const head = await t.store.headPosition();
    const batch = { after: 0, last: head, events: await t.store.readAll({ after: 0, maxCount: 100 }) };
    const lane = engine.lane(LANE);

    await engine.checkpoints.set(LANE, 0, 'running');
    await lane.process({ id: 'first', data: batch });
    await engine.checkpoints.set(LANE, 0, 'running'); // as if the checkpoint had not been written
    await lane.process({ id: 'again', data: batch });
    // Twins in two processes (their own command handlers and queues), both before the checkpoint moves.
    const twin = t.env.engine({ store: t.store });
    await engine.checkpoints.set(LANE, 0, 'running');
    await Promise.all([lane.process({ id: 'one', data: batch }), twin.lane(LANE).process({ id: 'other', data: batch })]);

    expect(await unlocked(t.store)).toEqual([
      [ada, 'first_words'],
      [bob, 'founder'],
    ]);
    expect(await t.store.headPosition()).toBe(head + 2);
    expect((await t.env.counters(ada))?.counters).toEqual({ messagesSent: 3 });
    expect((await t.env.counters(bob))?.counters).toEqual({ revoltsCreated: 1 });
  });

  it('replay: from checkpoint 0, or by a rebuild of its counters, unlocks nothing more and counts the same', async () => {
    const engine = t.env.engine({ store: t.store });
    await engine.start();
    for (let n = 1; n <= 3; n++) await message(t.store, n);
    await follow(t.store, 'UserFollowed', bob, ada, 4);
    await caughtUp(t.store, engine);
    const after = await t.store.headPosition();
    // Each user's counters (not the record of the start's sweep, which a rebuild leaves to the next start).
    const memory = async () => (await t.env.db.collection('achievement_counters').find().sort({ _id: 1 }).toArray()).filter((doc) => 'counters' in doc);
    const before = await memory();
    expect(before.map((doc) => doc._id)).toEqual([ada, bob]);

    await engine.checkpoints.set(LANE, 0, 'running');
    await engine.lane(LANE).enqueueCatchUp();
    expect(await engine.waitForPosition(LANE, after, 15_000)).toBe(true);
    expect(await engine.rebuild(LANE)).toMatchObject({ position: after, events: after });

    expect(await t.store.headPosition()).toBe(after);
    expect(await unlocked(t.store)).toEqual([
      [ada, 'first_words'],
      [ada, 'first_follower'],
    ]);
    expect(await memory()).toEqual(before);
  });

  it('grants an achievement added to the catalogue later to the users who already meet it, at its next start', async () => {
    const engine = t.env.engine({ store: t.store, achievements: ACHIEVEMENTS.filter(({ id }) => id !== 'first_words') });
    await engine.start();
    await message(t.store, 1);
    const last = await message(t.store, 2);
    await record(t.store, `revolt-${ids.revolt}`, revoltCreated(3, { ownerId: bob }), time(3));
    await caughtUp(t.store, engine);
    expect(await unlocked(t.store)).toEqual([[bob, 'founder']]);
    await engine.stop();

    const grown = t.env.engine({ store: t.store });
    await grown.start();
    await grown.swept();
    const events = await unlocks(t.store);
    expect(events.map(({ data }) => [data.userId, data.achievementId])).toEqual([
      [bob, 'founder'],
      [ada, 'first_words'],
    ]);
    // The counters keep no history: the time is that of the last event counted for ada, its cause that event.
    expect(events[1]!.data.unlockedAt).toBe(time(2));
    expect(events[1]!.metadata.causationId).toBe(last.id);
    expect((await t.env.counters(ada))?.unlocked).toEqual(['first_words']);
    await grown.stop();

    const head = await t.store.headPosition();
    const again = t.env.engine({ store: t.store });
    await again.start();
    await again.swept();
    await message(t.store, 3);
    await caughtUp(t.store, again);
    expect(await t.store.headPosition()).toBe(head + 1);
  });
});

describe('fifty concurrent commands crossing the same threshold', () => {
  const t = eachWithPostgresStore(achievementsEnv, 50);

  it('50 users following one at once, with the reactor running in two processes: each achievement unlocked once', async () => {
    await record(t.store, userStream(ada), userRegistered(1), time(1));
    const engine = t.env.engine({ store: t.store });
    const twin = t.env.engine({ store: t.store });
    await engine.start();
    await twin.start({ runWorkers: true, runFeeder: false });
    const commands = new CommandHandler(t.store, { catalogue });
    const followers = Array.from({ length: 50 }, (_, i) => hexId(0x100 + i));
    await Promise.all(
      followers.map((followerId) =>
        changeFollow(commands, { type: 'Follow', followerId, followeeId: ada, at: time(2) }, { actorId: followerId, correlationId: randomUUID(), causationId: randomUUID() }),
      ),
    );
    await caughtUp(t.store, engine);

    expect(await unlocked(t.store)).toEqual([
      [ada, 'first_follower'],
      [ada, 'rising_voice'],
    ]);
    expect((await t.env.counters(ada))?.counters).toEqual({ followers: 50 });
  }, 60_000);

  it('50 unlocks of one achievement issued at once from five processes append one event', async () => {
    const handlers = Array.from({ length: 5 }, () => new CommandHandler(t.store, { catalogue }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        handlers[i % 5]!.execute(
          achievementStream(bob),
          achievementsDecider,
          { type: 'UnlockAchievement', userId: bob, achievementId: 'graduate', unlockedAt: time(i) },
          { actorId: `reactor:${LANE}`, correlationId: randomUUID(), causationId: randomUUID(), ids: new RequestIds(`attempt-${i}`, new Date(), true) },
        ),
      ),
    );
    expect(results.filter((result) => result.events.length > 0)).toHaveLength(1);
    expect(await unlocked(t.store)).toEqual([[bob, 'graduate']]);
  }, 60_000);
});

// The chaos run's checks themselves (bench/chaos): each must see a loss, a twin, a gap or a reordering when there is one.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres } from '../../bench/chaos/engines.ts';
import { checkAcknowledged, comparePostgresWithRebuild } from '../../bench/chaos/invariants.ts';
import type { Acknowledged } from '../../bench/chaos/load.ts';
import { checkWatcher, Watcher } from '../../bench/chaos/sockets.ts';
import { checkVoice, type VoiceJoin } from '../../bench/chaos/voice.ts';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { ProjectionContext } from '../../src/projections/engine/read-model.ts';
import { openChannelHistory } from '../../src/projections/history/channel-history.ts';
import { historyLocation } from '../../src/projections/history/schema.ts';
import { openInbox } from '../../src/projections/inbox/inbox.ts';
import { inboxLocation } from '../../src/projections/inbox/schema.ts';
import { openMessageSearch } from '../../src/projections/search/message-search.ts';
import { searchLocation } from '../../src/projections/search/schema.ts';

const metadata = { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: '2026-12-05T00:00:00.000Z', schemaVersion: 1 };
const event = (position: number, type: string, data: Record<string, string>): RecordedEvent => ({ id: `e${position}`, streamId: 's', revision: position, position, type, data, metadata });
const sent = (messageId: string): Acknowledged => ({ kind: 'message', key: `k-${messageId}`, position: 0, resource: { messageId, channelId: 'c1' } });

describe('checkAcknowledged', () => {
  it('given each acknowledged command appended once, finds nothing lost or duplicated', () => {
    const events = [event(1, 'MessageSent', { messageId: 'm1' }), event(2, 'ReactionAdded', { messageId: 'm1', userId: 'u1', emoji: '👍' })];
    const acks: Acknowledged[] = [sent('m1'), { kind: 'reaction', key: 'k', position: 2, resource: { messageId: 'm1', userId: 'u1', emoji: '👍' } }];
    expect(checkAcknowledged(acks, events)).toEqual({ lost: [], duplicated: [] });
  });

  it('given an acknowledged message missing from the store, reports it lost', () => {
    expect(checkAcknowledged([sent('m1'), sent('m2')], [event(1, 'MessageSent', { messageId: 'm1' })]).lost).toEqual([expect.stringContaining('MessageSent:m2')]);
  });

  it('given an answer naming a position before its event, reports it lost (what was answered was not what is stored)', () => {
    const acks: Acknowledged[] = [{ kind: 'join', key: 'k', position: 3, resource: { revoltId: 'r', userId: 'u' } }];
    expect(checkAcknowledged(acks, [event(7, 'MemberJoined', { revoltId: 'r', userId: 'u' })]).lost).toHaveLength(1);
  });

  it('given a donation completed twice, reports the duplicate with both positions', () => {
    const acks: Acknowledged[] = [{ kind: 'webhook', key: 'k', position: 0, resource: { donationId: 'd1', amount: 100 } }];
    const events = [event(4, 'DonationCompleted', { donationId: 'd1' }), event(9, 'DonationCompleted', { donationId: 'd1' })];
    expect(checkAcknowledged(acks, events).duplicated).toEqual(['DonationCompleted:d1 at positions 4, 9']);
  });
});

describe('checkWatcher', () => {
  const watcherThatSaw = (messages: string[]) => {
    const watcher = new Watcher(() => 'ws://127.0.0.1:1/gateway', 'token');
    watcher.messages.push(...messages);
    return watcher;
  };

  it('given every message once in store order, finds nothing', () => {
    expect(checkWatcher(watcherThatSaw(['a', 'b', 'c']), ['a', 'b', 'c'])).toEqual([]);
  });

  it('given a missed, a repeated or a reordered message, reports each', () => {
    expect(checkWatcher(watcherThatSaw(['a', 'c']), ['a', 'b', 'c'])).toEqual(['1 messages never dispatched (e.g. b)']);
    expect(checkWatcher(watcherThatSaw(['a', 'b', 'b']), ['a', 'b'])).toContain('message b dispatched twice');
    expect(checkWatcher(watcherThatSaw(['b', 'a']), ['a', 'b'])).toEqual(['messages dispatched out of store order']);
  });

  it('given a sequence gap or a refused RESUME, reports it', () => {
    const watcher = watcherThatSaw(['a']);
    watcher.gaps.push('after 3 came 5 (MessageSent)');
    watcher.refusedResumes.push('session s refused at seq 5');
    expect(checkWatcher(watcher, ['a', 'b'])).toEqual(['sequence gap: after 3 came 5 (MessageSent)', 'session s refused at seq 5']);
  });
});

describe('checkVoice', () => {
  const join = (userId: string): VoiceJoin => ({ userId, channelId: 'c', sessionId: 's', position: 0 });
  const joined = (position: number, userId: string) => event(position, 'VoiceParticipantJoined', { sessionId: 's', userId });
  const left = (position: number, userId: string) => event(position, 'VoiceParticipantLeft', { sessionId: 's', userId });
  const now = Date.parse('2026-12-05T00:01:00.000Z');

  it('given a participant whose socket is open still in the session and one whose socket closed recorded as left, finds nothing', () => {
    const participants = [
      { participant: { closedAt: null }, join: join('u1') },
      { participant: { closedAt: now - 30_000 }, join: join('u2') },
    ];
    expect(checkVoice(participants, [joined(1, 'u1'), joined(2, 'u2'), left(3, 'u2')], now)).toEqual([]);
  });

  it('given a participant whose socket closed still in the session, reports the stay left open', () => {
    const participants = [{ participant: { closedAt: now - 30_000 }, join: join('u2') }];
    expect(checkVoice(participants, [joined(1, 'u2')], now)).toEqual(['voice: u2 still in session s of channel c 30 s after its socket closed']);
  });

  it('given a participant whose socket is open recorded as left, reports the stay ended under it', () => {
    const participants = [{ participant: { closedAt: null }, join: join('u1') }];
    expect(checkVoice(participants, [joined(1, 'u1'), left(2, 'u1')], now)).toEqual(['voice: u1 left session s though its socket is open']);
  });
});

describe('comparePostgresWithRebuild', () => {
  // A PostgreSQL of its own, as the chaos run has: the check drops and creates schemas beside the event store's.
  let postgres: Awaited<ReturnType<typeof startPrivatePostgres>>;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.down();
  });

  const catalogue = buildEventCatalogue();
  const hex = (n: number) => n.toString(16).padStart(24, '0');
  const [revoltId, channelId, ada, bob, messageId] = [hex(1), hex(2), hex(3), hex(4), hex(5)];
  const valid = (position: number, type: string, data: Record<string, unknown>): RecordedEvent => {
    catalogue.assertValid(type, data);
    return event(position, type, data as Record<string, string>);
  };
  const events = [
    valid(1, 'MessageSent', {
      messageId, channelId, revoltId, authorId: ada, content: 'hold the line', type: 'text',
      mentions: [bob], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: '2026-12-05T00:00:01.000Z',
    }),
    valid(2, 'ReactionAdded', { messageId, channelId, revoltId, userId: bob, emoji: '👍', at: '2026-12-05T00:00:02.000Z' }),
    valid(3, 'NotificationsIssued', {
      batchId: hex(6), type: 'channel_mention', recipients: [bob], title: 'mentioned', message: 'hold the line', revoltId, actorId: ada, createdAt: '2026-12-05T00:00:02.000Z',
    }),
  ];

  /** The live read models where the cluster keeps them, fed `events` as their lanes would. */
  async function project(eventStoreUrl: string): Promise<void> {
    const opened = await Promise.all([
      openMessageSearch(searchLocation(undefined, eventStoreUrl)),
      openChannelHistory(historyLocation(undefined, undefined, eventStoreUrl)),
      openInbox(inboxLocation(undefined, eventStoreUrl)),
    ]);
    for (const model of opened) {
      for (const each of events) await model.readModel.apply(catalogue.upcast(each), {} as ProjectionContext);
      await model.close();
    }
  }

  it('given read models their lanes kept, finds every row equal to a replay', async () => {
    const url = `${postgres.url}?schema=same`;
    await project(url);
    expect(await comparePostgresWithRebuild(url, events)).toEqual({ differences: [], rows: 4 });
  });

  it('given a history row that differs from what its events make and an unread count missing, reports both tables', async () => {
    const url = `${postgres.url}?schema=drifted`;
    await project(url);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`update drifted_history.messages set doc = jsonb_set(doc, '{content}', '"edited by nobody"') where id = $1`, [messageId]);
    await client.query('delete from drifted_inbox.unread');
    await client.end();
    const { differences } = await comparePostgresWithRebuild(url, events);
    expect(differences).toEqual([
      expect.stringMatching(new RegExp(`^history: 0 missing, 0 extra, 1 differ e.g. ${messageId}: rebuilt .*hold the line.* live .*edited by nobody`)),
      expect.stringMatching(/^inbox\.unread: 1 missing, 0 extra, 0 differ$/),
    ]);
  });
});

// The chaos run's checks themselves (bench/chaos): each must see a loss, a twin, a gap or a reordering when there is one.
import { describe, expect, it } from 'vitest';
import { checkAcknowledged } from '../../bench/chaos/invariants.ts';
import type { Acknowledged } from '../../bench/chaos/load.ts';
import { checkWatcher, Watcher } from '../../bench/chaos/sockets.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';

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

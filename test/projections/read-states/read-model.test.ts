import { describe, expect, it } from 'vitest';
import { unreadOf, type ChannelHead } from '../../../src/projections/read-states/documents.ts';
import { readStatesReadModel } from '../../../src/projections/read-states/read-model.ts';
import { hexId, ids, messageId, time } from '../fixtures.ts';
import { at, readModelScenarios, type DataOf } from '../support.ts';

const { given } = readModelScenarios(readStatesReadModel);
/** The same lane, its revolts' heads read instead of the users' documents. */
const [users, heads, ...rest] = readStatesReadModel.collections;
const headsScenarios = readModelScenarios({ ...readStatesReadModel, collections: [heads!, users!, ...rest] });

const channel = hexId(0x77);
const role = hexId(0x88);
const sent = (position: number, authorId: string, over: Partial<DataOf<'MessageSent'>> = {}) =>
  at(position, 'MessageSent', {
    messageId: messageId(position),
    channelId: channel,
    revoltId: ids.revolt,
    authorId,
    content: 'hi',
    type: 'text',
    mentions: [],
    roleMentions: [],
    channelMentions: [],
    mentionEveryone: false,
    createdAt: time(position),
    ...over,
  });
const acked = (position: number, userId: string, ofPosition: number) =>
  at(position, 'ChannelAcked', { userId, revoltId: ids.revolt, channelId: channel, messageId: messageId(ofPosition), at: time(position) });

const entry = (over: Record<string, unknown>) => ({ revoltId: ids.revolt, messageId: null, seq: 0, everyone: 0, roles: {}, mentions: [], ...over });
const doc = (userId: string, pos: number, state: Record<string, unknown>) => ({ _id: userId, channels: { [channel]: entry(state) }, _pos: pos });

/** ada writes; bob reads. */
const history = [
  sent(1, ids.ada),
  sent(2, ids.ada, { mentions: [ids.bob] }),
  acked(3, ids.bob, 1),
  sent(4, ids.ada, { mentionEveryone: true, mentions: [ids.bob] }),
  sent(5, ids.ada, { roleMentions: [role] }),
];

describe('read states read model', () => {
  it('counts named mentions after the ack per reader; the author has read up to their own message', () =>
    given(history.slice(0, 3))
      .when(history.slice(3))
      .then([
        doc(ids.ada, 5, { messageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 } }),
        // @everyone in message 4 covers bob's name there: counted once, by the channel's counter.
        doc(ids.bob, 3, { messageId: messageId(1), seq: 1, mentions: [2] }),
      ]));

  it('an ack moves forward only and drops the mentions it covers; redelivered history changes nothing', () =>
    given(history)
      .when([...history, acked(6, ids.bob, 4), acked(7, ids.bob, 2), ...history])
      .then([
        doc(ids.ada, 5, { messageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 } }),
        doc(ids.bob, 7, { messageId: messageId(4), seq: 3, everyone: 1, mentions: [] }),
      ]));
});

describe('revolt heads', () => {
  const deleted = (position: number, ofPosition: number) =>
    at(position, 'MessageDeleted', { messageId: messageId(ofPosition), channelId: channel, revoltId: ids.revolt, deletedBy: ids.ada, deletedAt: time(position) });
  it('count messages, @everyone and role mentions per channel, and remember deletions; redelivery changes nothing', () =>
    headsScenarios
      .given(history)
      .when([deleted(6, 2), ...history, deleted(7, 5), deleted(6, 2)])
      .then([
        {
          _id: ids.revolt,
          channels: { [channel]: { lastMessageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 }, deleted: [2, 4] } },
          _pos: 7,
        },
      ]));
});

describe('joining', () => {
  const carol = hexId(3);
  const joined = (position: number) => at(position, 'MemberJoined', { revoltId: ids.revolt, revoltName: 'R', userId: carol, username: 'carol', isOwner: false, joinedAt: time(position) });
  it('a joiner starts with every channel read up to its head as of the join; later messages are unread', () =>
    given(history)
      .when([joined(6), sent(7, ids.ada), ...history, joined(6)])
      .then([
        doc(ids.ada, 7, { messageId: messageId(7), seq: 5, everyone: 1, roles: { [role]: 1 } }),
        doc(ids.bob, 3, { messageId: messageId(1), seq: 1, mentions: [2] }),
        doc(carol, 6, { messageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 } }),
      ]));
});

describe('unread and mention counts', () => {
  const head: ChannelHead = { lastMessageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 } };
  it('unread is the head less the ack; mentions: named since the ack, @everyone and held roles since the ack', () => {
    const bob = entry({ messageId: messageId(1), seq: 1, mentions: [2] });
    expect(unreadOf(head, bob, [])).toEqual({ unreadCount: 3, mentionCount: 2 });
    expect(unreadOf(head, bob, [role])).toEqual({ unreadCount: 3, mentionCount: 3 });
    expect(unreadOf(head, entry({ messageId: messageId(5), seq: 4, everyone: 1, roles: { [role]: 1 } }), [role])).toEqual({ unreadCount: 0, mentionCount: 0 });
  });

  it('deleted messages after the ack are not unread; those at or before it change nothing', () => {
    const bob = entry({ messageId: messageId(1), seq: 1, mentions: [2] });
    expect(unreadOf({ ...head, deleted: [1, 2, 4] }, bob, [])).toEqual({ unreadCount: 1, mentionCount: 2 });
  });

  it('a reader who never acked has every message unread', () => {
    expect(unreadOf(head, undefined, [])).toEqual({ unreadCount: 4, mentionCount: 1 });
    expect(unreadOf(undefined, undefined, [])).toEqual({ unreadCount: 0, mentionCount: 0 });
  });
});

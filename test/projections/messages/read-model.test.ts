import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { messagesReadModel } from '../../../src/projections/messages/read-model.ts';
import { date, eventOf, hexId, ids, messageId, messageSent, time } from '../fixtures.ts';
import { readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(messagesReadModel);

const onMessage = { messageId: messageId(1), channelId: ids.general, revoltId: ids.revolt };
const noMentions = { mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false };
const edited = eventOf('MessageEdited', (p) => ({ ...onMessage, content: 'edited', ...noMentions, embeds: [], editedBy: ids.ada, editedAt: time(p) }));
const deleted = eventOf('MessageDeleted', (p) => ({ ...onMessage, deletedBy: ids.ada, deletedAt: time(p) }));
const reactionAdded = eventOf('ReactionAdded', (p) => ({ ...onMessage, emoji: '🔥', userId: ids.ada, at: time(p) }));
const reactionRemoved = eventOf('ReactionRemoved', (p) => ({ ...onMessage, emoji: '🔥', userId: ids.ada, at: time(p) }));
const pinned = eventOf('MessagePinned', (p) => ({ ...onMessage, pinnedBy: ids.ada, pinnedAt: time(p) }));
const unpinned = eventOf('MessageUnpinned', (p) => ({ ...onMessage, unpinnedBy: ids.ada, unpinnedAt: time(p), reason: 'unpinned' }));

/** The document of the message `messageSent(position)` sends, with `changes` laid over it. */
const message = (position: number, changes: Document = {}) => ({
  _id: new ObjectId(messageId(position)),
  id: messageId(position),
  channelId: new ObjectId(ids.general),
  revoltId: new ObjectId(ids.revolt),
  authorId: new ObjectId(ids.ada),
  content: `message ${position}`,
  type: 'text',
  attachments: [],
  embeds: [],
  reactions: [],
  ...noMentions,
  pinned: false,
  isDeleted: false,
  createdAt: date(position),
  _pos: position,
  ...changes,
});

const reaction = (emoji: string, users: string[]) => ({ emoji, count: users.length, users: users.map((id) => new ObjectId(id)) });

describe('messages read model', () => {
  it('MessageSent creates the message: ids as ObjectIds, embed timestamps as dates, a reply only when it is one', () => {
    const attachment = { id: hexId(0x50), filename: 'plan.png', url: '/v1/attachments/plan.png', size: 2048, contentType: 'image/png', width: 640, height: 480 };
    const embed = { type: 'rich' as const, title: 'The plan', timestamp: time(1), fields: [{ name: 'When', value: 'Tonight', inline: false }] };
    return given()
      .when([
        messageSent(1),
        messageSent(2, {
          authorId: ids.bob,
          content: '@ada look at #lounge',
          replyTo: messageId(1),
          mentions: [ids.ada],
          roleMentions: ['moderators'],
          channelMentions: [ids.lounge],
          mentionEveryone: true,
          attachments: [attachment],
          embeds: [embed],
        }),
      ])
      .then([
        message(1),
        message(2, {
          authorId: new ObjectId(ids.bob),
          content: '@ada look at #lounge',
          replyTo: messageId(1),
          mentions: [new ObjectId(ids.ada)],
          roleMentions: ['moderators'],
          channelMentions: [new ObjectId(ids.lounge)],
          mentionEveryone: true,
          attachments: [attachment],
          embeds: [{ ...embed, timestamp: date(1) }],
        }),
      ]);
  });

  it('MessageEdited replaces the content, mentions and embeds, and records editedAt', () =>
    given([messageSent(1, { mentions: [ids.bob] })])
      .when([edited(2, { content: 'edited for #general', channelMentions: [ids.general], embeds: [{ type: 'link', url: 'https://example.com/', fields: [] }] })])
      .then([
        message(1, {
          content: 'edited for #general',
          channelMentions: [new ObjectId(ids.general)],
          embeds: [{ type: 'link', url: 'https://example.com/', fields: [] }],
          editedAt: date(2),
          _pos: 2,
        }),
      ]));

  it('MessageDeleted marks the message deleted and keeps it', () =>
    given([messageSent(1)])
      .when([deleted(2)])
      .then([message(1, { isDeleted: true, deletedAt: date(2), _pos: 2 })]));

  it("reactions: one per emoji, counted exactly, a user's removal takes them off, the last one's the reaction", () =>
    given([messageSent(1)])
      .when([
        reactionAdded(2),
        reactionAdded(3, { userId: ids.bob }),
        reactionAdded(4, { emoji: '✊' }),
        reactionAdded(5),
        reactionRemoved(6),
        reactionAdded(7, { emoji: '🌹', userId: ids.bob }),
        reactionRemoved(8, { emoji: '✊' }),
      ])
      .then([message(1, { reactions: [reaction('🔥', [ids.bob]), reaction('🌹', [ids.bob])], _pos: 8 })]));

  it('MessagePinned pins with pinnedAt; MessageUnpinned unpins and removes it', () =>
    given([messageSent(1), messageSent(2)])
      .when([pinned(3), pinned(4, { messageId: messageId(2) }), unpinned(5, { messageId: messageId(2) })])
      .then([message(1, { pinned: true, pinnedAt: date(3), _pos: 3 }), message(2, { _pos: 5 })]));

  it('runs of MessageSent around other events: each message inserted once, the part of a run applied already left as it is', () =>
    given([messageSent(1), messageSent(2), reactionAdded(3)])
      .when([messageSent(1), messageSent(2), reactionAdded(3), messageSent(4), messageSent(5), reactionAdded(6, { messageId: messageId(4) }), messageSent(7)])
      .then([message(1, { reactions: [reaction('🔥', [ids.ada])], _pos: 3 }), message(2), message(4, { reactions: [reaction('🔥', [ids.ada])], _pos: 6 }), message(5), message(7)]));

  it('a redelivered history changes nothing', () => {
    const history = [messageSent(1), messageSent(2), reactionAdded(3), edited(4), pinned(5), deleted(6, { messageId: messageId(2) })];
    return given(history)
      .when(history)
      .then([
        message(1, { content: 'edited', reactions: [reaction('🔥', [ids.ada])], editedAt: date(4), pinned: true, pinnedAt: date(5), _pos: 5 }),
        message(2, { isDeleted: true, deletedAt: date(6), _pos: 6 }),
      ]);
  });

  it('events at or before the position a message has seen, arriving late and out of order, change nothing', () =>
    given([messageSent(1), reactionAdded(4), messageSent(5)])
      .when([edited(3), reactionRemoved(2), messageSent(5, { content: 'a different message 5' })])
      .then([message(1, { reactions: [reaction('🔥', [ids.ada])], _pos: 4 }), message(5)]));
});

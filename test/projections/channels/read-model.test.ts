import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { channelsReadModel } from '../../../src/projections/channels/read-model.ts';
import { channelCreated, channelDeleted, channelUpdated, date, ids, messageId, messageSent, revoltDeleted, roleDeleted, time } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(channelsReadModel);

const settings = { isNsfw: false, slowMode: 0, isPrivate: false, archived: false };

/** The channel document `channelCreated(position, …)` creates, with `changes` laid over it. */
const channel = (channelId: string, name: string, position: number, changes: Document = {}) => ({
  _id: new ObjectId(channelId),
  id: channelId,
  revoltId: new ObjectId(ids.revolt),
  name,
  type: 'text',
  position: 0,
  permissions: [],
  settings,
  lastActivity: date(position),
  createdAt: date(position),
  updatedAt: date(position),
  _pos: position,
  ...changes,
});

const category = (position: number) => channelCreated(position, { channelId: ids.category, name: 'plans', type: 'category', position: 1 });
const lounge = (position: number, data: Parameters<typeof channelCreated>[1] = {}) =>
  channelCreated(position, { channelId: ids.lounge, name: 'lounge', type: 'voice', categoryId: ids.category, ...data });

const overwrite = (type: 'role' | 'member', id: string, allow: Array<'SEND_MESSAGES' | 'VIEW_CHANNEL'>) => ({ type, id, allow, deny: [] });
const permissionsSet = (position: number, target: ReturnType<typeof overwrite>) =>
  at(position, 'ChannelPermissionsSet', { revoltId: ids.revolt, channelId: ids.general, overwrite: target, at: time(position) });

describe('channels read model', () => {
  it('ChannelCreated creates the channel, with a description and a category only when it has them', () =>
    given()
      .when([channelCreated(1), category(2), lounge(3, { description: 'Talk here', settings: { ...settings, bitrate: 64_000 } })])
      .then([
        channel(ids.general, 'general', 1),
        channel(ids.category, 'plans', 2, { type: 'category', position: 1 }),
        channel(ids.lounge, 'lounge', 3, { type: 'voice', description: 'Talk here', categoryId: ids.category, settings: { ...settings, bitrate: 64_000 } }),
      ]));

  it('a channel created archived keeps archivedAt as a date, as an archiving update does', () =>
    given()
      .when([channelCreated(1, { settings: { ...settings, archived: true, archivedAt: time(1) } })])
      .then([channel(ids.general, 'general', 1, { settings: { ...settings, archived: true, archivedAt: date(1) } })]));

  it('ChannelUpdated sets the changed fields and settings, moves the channel in and out of a category', () =>
    given([channelCreated(1), category(2)])
      .when([
        channelUpdated(3, { changes: { name: 'lobby', description: 'Say hello', position: 2, categoryId: ids.category } }),
        channelUpdated(4, { changes: { settings: { archived: true, archivedAt: time(4), slowMode: 30 } } }),
        channelUpdated(5, { channelId: ids.category, changes: { name: 'plots' } }),
      ])
      .then([
        channel(ids.general, 'lobby', 1, {
          description: 'Say hello',
          position: 2,
          categoryId: ids.category,
          settings: { ...settings, archived: true, archivedAt: date(4), slowMode: 30 },
          updatedAt: date(4),
          _pos: 4,
        }),
        channel(ids.category, 'plots', 2, { type: 'category', position: 1, updatedAt: date(5), _pos: 5 }),
      ]));

  it('ChannelUpdated with categoryId null takes the channel out of its category', () =>
    given([category(1), lounge(2)])
      .when([channelUpdated(3, { channelId: ids.lounge, changes: { categoryId: null } })])
      .then([channel(ids.category, 'plans', 1, { type: 'category', position: 1 }), channel(ids.lounge, 'lounge', 2, { type: 'voice', updatedAt: date(3), _pos: 3 })]));

  it('permission overwrites: one per target, replaced when set again, removed', () =>
    given([channelCreated(1)])
      .when([
        permissionsSet(2, overwrite('role', 'moderators', ['SEND_MESSAGES'])),
        permissionsSet(3, overwrite('member', ids.bob, ['VIEW_CHANNEL'])),
        permissionsSet(4, overwrite('role', 'moderators', ['VIEW_CHANNEL', 'SEND_MESSAGES'])),
        at(5, 'ChannelPermissionsRemoved', { revoltId: ids.revolt, channelId: ids.general, targetId: ids.bob, at: time(5) }),
      ])
      .then([channel(ids.general, 'general', 1, { permissions: [overwrite('role', 'moderators', ['VIEW_CHANNEL', 'SEND_MESSAGES'])], updatedAt: date(5), _pos: 5 })]));

  it("RoleDeleted takes the role's overwrites off every channel of its revolt", () =>
    given([channelCreated(1), lounge(2), permissionsSet(3, overwrite('role', 'moderators', ['SEND_MESSAGES'])), permissionsSet(4, overwrite('member', ids.bob, ['SEND_MESSAGES']))])
      .when([roleDeleted(5)])
      .then([channel(ids.general, 'general', 1, { permissions: [overwrite('member', ids.bob, ['SEND_MESSAGES'])], updatedAt: date(4), _pos: 5 }), channel(ids.lounge, 'lounge', 2, { type: 'voice', categoryId: ids.category })]));

  it("MessageSent records the channel's last message and activity; a run of which a part was applied already moves it once", () =>
    given([channelCreated(1), lounge(2), messageSent(3), messageSent(4)])
      .when([messageSent(3), messageSent(4), messageSent(5, { channelId: ids.lounge }), messageSent(6), messageSent(7, { channelId: ids.lounge })])
      .then([
        channel(ids.general, 'general', 1, { lastMessageId: messageId(6), lastActivity: date(6), _pos: 6 }),
        channel(ids.lounge, 'lounge', 2, { type: 'voice', categoryId: ids.category, lastMessageId: messageId(7), lastActivity: date(7), _pos: 7 }),
      ]));

  it('ChannelDeleted deletes the channel and takes its channels out of it', () =>
    given([channelCreated(1), category(2), lounge(3)])
      .when([channelDeleted(4, { channelId: ids.category })])
      .then([channel(ids.general, 'general', 1), channel(ids.lounge, 'lounge', 3, { type: 'voice', _pos: 4 })]));

  it("RevoltDeleted deletes the revolt's channels, and only those", () =>
    given([channelCreated(1), lounge(2, { revoltId: ids.otherRevolt })])
      .when([revoltDeleted(3)])
      .then([channel(ids.lounge, 'lounge', 2, { type: 'voice', revoltId: new ObjectId(ids.otherRevolt), categoryId: ids.category })]));

  it('a redelivered history changes nothing', () => {
    const history = [channelCreated(1), category(2), lounge(3), messageSent(4), permissionsSet(5, overwrite('role', 'moderators', ['SEND_MESSAGES'])), channelDeleted(6, { channelId: ids.category })];
    return given(history)
      .when(history)
      .then([
        channel(ids.general, 'general', 1, {
          lastMessageId: messageId(4),
          lastActivity: date(4),
          permissions: [overwrite('role', 'moderators', ['SEND_MESSAGES'])],
          updatedAt: date(5),
          _pos: 5,
        }),
        channel(ids.lounge, 'lounge', 3, { type: 'voice', _pos: 6 }),
      ]);
  });

  it('events older than a document, arriving late and out of order, change nothing', () =>
    given([channelCreated(1), lounge(5), channelUpdated(7, { changes: { name: 'lobby' } })])
      .when([channelUpdated(6, { changes: { name: 'general' } }), messageSent(4, { channelId: ids.lounge }), messageSent(2), permissionsSet(3, overwrite('member', ids.bob, ['SEND_MESSAGES']))])
      .then([channel(ids.general, 'general', 1, { name: 'lobby', updatedAt: date(7), _pos: 7 }), channel(ids.lounge, 'lounge', 5, { type: 'voice', categoryId: ids.category })]));
});

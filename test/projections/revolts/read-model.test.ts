import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { revoltsReadModel } from '../../../src/projections/revolts/read-model.ts';
import {
  channelCreated,
  channelDeleted,
  channelUpdated,
  date,
  donationCompleted,
  donationRefunded,
  ids,
  memberBanned,
  memberJoined,
  memberKicked,
  memberLeft,
  messageSent,
  ownershipTransferred,
  presenceChanged,
  revoltCreated,
  revoltDeleted,
  revoltSettings,
  revoltUpdated,
  roleCreated,
  roleDeleted,
  roleGranted,
  roleRevoked,
  roleUpdated,
} from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(revoltsReadModel);

type Who = 'ada' | 'bob';
const bobJoined = (position: number) => memberJoined(position, { userId: ids.bob, username: 'bob', presence: 'online' });

/** ada creates the revolt at 1 with the role moderators at 2 and joins it as its owner at 3; bob, online, joins at 4. */
const founded = [revoltCreated(1), roleCreated(2), memberJoined(3, { isOwner: true }), bobJoined(4)];

const createdRevolt = {
  _id: new ObjectId(ids.revolt),
  id: ids.revolt,
  name: 'Barricade',
  description: 'Where the plans are made',
  owner: new ObjectId(ids.ada),
  members: [],
  channels: [],
  roles: [],
  categories: [],
  settings: revoltSettings,
  stats: { memberCount: 0, messageCount: 0, totalDonations: 0, activeMembers: 0, channelsCount: 0, createdAt: date(1) },
  inviteCode: 'BARRICADE',
  createdAt: date(1),
  updatedAt: date(1),
  _pos: 1,
};

const moderators = { id: 'moderators', name: 'Moderators', color: '#ff8800', permissions: ['MANAGE_MESSAGES'], position: 1, isManaged: false, createdAt: date(2) };

const member = (who: Who, joinedAt: number, changes: Document = {}) => ({
  userId: new ObjectId(ids[who]),
  username: who,
  joinedAt: date(joinedAt),
  roles: [],
  permissions: [],
  isOwner: false,
  isOnline: false,
  lastSeen: date(joinedAt),
  ...changes,
});

/** The document `founded` leaves. */
const revolt = {
  ...createdRevolt,
  roles: [moderators],
  members: [member('ada', 3, { isOwner: true }), member('bob', 4, { isOnline: true })],
  stats: { ...createdRevolt.stats, memberCount: 2 },
  _pos: 4,
};

const category = (position: number) => channelCreated(position, { channelId: ids.category, name: 'plans', type: 'category', position: 1 });

describe('revolts read model', () => {
  it('RevoltCreated creates the revolt, with its icon or banner only when it has one', () =>
    given()
      .when([revoltCreated(1, { icon: 'https://cdn.example.com/icon.png' })])
      .then([{ ...createdRevolt, icon: 'https://cdn.example.com/icon.png' }]));

  it('MemberJoined adds the member and counts them, online when others saw them online', () =>
    given([revoltCreated(1), roleCreated(2)])
      .when([memberJoined(3, { isOwner: true, presence: 'offline' }), bobJoined(4)])
      .then([revolt]));

  it('roles: created, updated, granted once however often, revoked, and deleted from every member', () =>
    given(founded)
      .when([
        roleGranted(5),
        roleCreated(6, { roleId: 'helpers', name: 'Helpers', permissions: [], position: 2 }),
        roleGranted(7, { roleId: 'helpers' }),
        roleGranted(8, { userId: ids.ada, roleId: 'helpers' }),
        roleGranted(9),
        roleUpdated(10, { changes: { name: 'Mods', color: '#00aa00' } }),
        roleRevoked(11, { userId: ids.ada, roleId: 'helpers' }),
        roleDeleted(12, { roleId: 'helpers' }),
      ])
      .then([
        {
          ...revolt,
          roles: [{ ...moderators, name: 'Mods', color: '#00aa00' }],
          members: [member('ada', 3, { isOwner: true }), member('bob', 4, { isOnline: true, roles: ['moderators'] })],
          _pos: 12,
        },
      ]));

  it('channels and categories: created, counted, moved in and out of a category, a category renamed and reordered', () =>
    given(founded)
      .when([
        channelCreated(5),
        category(6),
        channelCreated(7, { channelId: ids.lounge, name: 'lounge', type: 'voice', position: 2, categoryId: ids.category }),
        channelUpdated(8, { changes: { categoryId: ids.category } }),
        channelUpdated(9, { channelId: ids.category, changes: { name: 'Plots', position: 0 } }),
        channelUpdated(10, { channelId: ids.lounge, changes: { categoryId: null } }),
        channelUpdated(11, { channelId: ids.lounge, changes: { description: 'Talk here' } }),
      ])
      .then([
        {
          ...revolt,
          channels: [new ObjectId(ids.general), new ObjectId(ids.category), new ObjectId(ids.lounge)],
          categories: [{ id: ids.category, name: 'Plots', position: 0, channels: [ids.general], collapsed: false }],
          stats: { ...revolt.stats, channelsCount: 3 },
          _pos: 10,
        },
      ]));

  describe('ChannelDeleted', () => {
    const channels = [...founded, category(5), channelCreated(6, { categoryId: ids.category }), channelCreated(7, { channelId: ids.lounge, name: 'lounge', categoryId: ids.category })];
    const withChannels = (channelIds: string[], categories: Document[]) => ({
      ...revolt,
      channels: channelIds.map((id) => new ObjectId(id)),
      categories,
      stats: { ...revolt.stats, channelsCount: channelIds.length },
      _pos: 8,
    });

    it('uncounts a channel and takes it out of its category', () =>
      given(channels)
        .when([channelDeleted(8, { channelId: ids.lounge })])
        .then([withChannels([ids.category, ids.general], [{ id: ids.category, name: 'plans', position: 1, channels: [ids.general], collapsed: false }])]));

    it('removes a deleted category', () =>
      given(channels)
        .when([channelDeleted(8, { channelId: ids.category })])
        .then([withChannels([ids.general, ids.lounge], [])]));
  });

  it('RevoltUpdated sets and removes fields and merges settings; InviteCodeSet replaces the code', () =>
    given([revoltCreated(1, { icon: 'https://cdn.example.com/icon.png' })])
      .when([
        revoltUpdated(2, { changes: { name: 'Commune', icon: null, banner: 'https://cdn.example.com/banner.png', settings: { isPublic: false, slowMode: 10 } } }),
        at(3, 'InviteCodeSet', { revoltId: ids.revolt, inviteCode: 'COMMUNE', previousCode: 'BARRICADE' }),
      ])
      .then([
        {
          ...createdRevolt,
          name: 'Commune',
          banner: 'https://cdn.example.com/banner.png',
          settings: { ...revoltSettings, isPublic: false, slowMode: 10 },
          inviteCode: 'COMMUNE',
          updatedAt: date(2),
          _pos: 3,
        },
      ]));

  it('leaving, a kick and a ban remove the member and uncount them', () =>
    given(founded)
      .when([memberLeft(5), bobJoined(6), memberKicked(7), bobJoined(8), memberBanned(9)])
      .then([{ ...revolt, members: [member('ada', 3, { isOwner: true })], stats: { ...revolt.stats, memberCount: 1 }, _pos: 9 }]));

  it('OwnershipTransferred changes the owner and both members', () =>
    given(founded)
      .when([ownershipTransferred(5)])
      .then([{ ...revolt, owner: new ObjectId(ids.bob), members: [member('ada', 3), member('bob', 4, { isOnline: true, isOwner: true })], _pos: 5 }]));

  it('a presence change others see sets isOnline and lastSeen of the member; an unchanged one writes nothing', () =>
    given(founded)
      .when([presenceChanged(5, { userId: ids.bob, presence: 'offline', previousPresence: 'online', connected: false }), presenceChanged(6, { presence: 'offline', previousPresence: 'offline' })])
      .then([{ ...revolt, members: [member('ada', 3, { isOwner: true }), member('bob', 4, { lastSeen: date(5) })], _pos: 5 }]));

  it('MessageSent counts the messages and their authors as active members; a run of which a part was applied already counts each once', () =>
    given([...founded, messageSent(5), messageSent(6)])
      .when([messageSent(5), messageSent(6), messageSent(7, { authorId: ids.bob }), messageSent(8, { revoltId: ids.otherRevolt })])
      .then([{ ...revolt, stats: { ...revolt.stats, messageCount: 3, activeMembers: 2 }, _pos: 7 }]));

  it('totalDonations is the completed minus the refunded money', () =>
    given(founded)
      .when([donationCompleted(5), donationRefunded(6)])
      .then([{ ...revolt, stats: { ...revolt.stats, totalDonations: 1500 }, _pos: 6 }]));

  it('RevoltDeleted deletes the revolt', () =>
    given(founded)
      .when([revoltDeleted(5)])
      .then([]));

  it('a redelivered history changes nothing', () => {
    const history = [...founded, channelCreated(5), messageSent(6), roleGranted(7), donationCompleted(8)];
    return given(history)
      .when(history)
      .then([
        {
          ...revolt,
          members: [member('ada', 3, { isOwner: true }), member('bob', 4, { isOnline: true, roles: ['moderators'] })],
          channels: [new ObjectId(ids.general)],
          stats: { ...revolt.stats, channelsCount: 1, messageCount: 1, activeMembers: 1, totalDonations: 2500 },
          _pos: 8,
        },
      ]);
  });

  it('events older than the document, arriving late and out of order, change nothing', () =>
    given([revoltCreated(1), roleCreated(2), memberJoined(3, { isOwner: true }), bobJoined(7)])
      .when([memberLeft(6), messageSent(4), revoltUpdated(5, { changes: { name: 'Commune' } })])
      .then([{ ...revolt, members: [member('ada', 3, { isOwner: true }), member('bob', 7, { isOnline: true })], _pos: 7 }]));
});

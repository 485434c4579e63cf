import { describe, expect, it } from 'vitest';
import { revoltDecider, type RevoltCommand } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';

const at = '2026-01-01T00:00:00.000Z';
const ids = {
  revolt: 'a'.repeat(24),
  everyone: 'b'.repeat(24),
  general: 'c'.repeat(24),
  voice: 'c'.repeat(23) + 'd',
  created: 'c'.repeat(23) + 'e',
  owner: '1'.repeat(24),
  bob: '2'.repeat(24),
};

const history = (slowMode: number): RevoltEvent[] => [
  ...revoltDecider.decide(
    {
      type: 'CreateRevolt',
      revoltId: ids.revolt,
      everyoneRoleId: ids.everyone,
      defaultChannelId: ids.general,
      inviteCode: 'INVITE01',
      owner: { userId: ids.owner, username: 'owner' },
      name: 'R',
      description: '',
      settings: { slowMode },
      features: UNGATED,
      at,
    },
    revoltDecider.initialState,
  ),
  { type: 'MemberJoined', data: { revoltId: ids.revolt, revoltName: 'R', userId: ids.bob, username: 'bob', isOwner: false, joinedAt: at } },
  {
    type: 'ChannelCreated',
    data: { revoltId: ids.revolt, channelId: ids.voice, name: 'talk', type: 'voice', position: 1, settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false }, createdAt: at },
  },
];

const createChannel = (channelType: 'text' | 'voice', settings: { slowMode?: number } = {}): RevoltCommand => ({
  type: 'CreateChannel',
  actorId: ids.owner,
  channelId: ids.created,
  name: 'new',
  channelType,
  settings,
  at,
});
const slowModeOf = (events: RevoltEvent[]) => (events[0]?.data as { settings: { slowMode: number } }).settings.slowMode;
const update = (actorId: string, settings: Record<string, unknown>): RevoltCommand => ({ type: 'UpdateRevolt', actorId, changes: { settings }, features: UNGATED, at });

describe("the revolt's slow mode is the default of text channels created afterwards", () => {
  it('a text channel created without a slow mode takes the revolt one', () => {
    given(revoltDecider, history(30)).when(createChannel('text')).then((events) => expect(slowModeOf(events)).toBe(30));
  });

  it("the request's own slow mode wins, 0 included", () => {
    given(revoltDecider, history(30)).when(createChannel('text', { slowMode: 5 })).then((events) => expect(slowModeOf(events)).toBe(5));
    given(revoltDecider, history(30)).when(createChannel('text', { slowMode: 0 })).then((events) => expect(slowModeOf(events)).toBe(0));
  });

  it('a voice channel does not take it, and a revolt without one gives 0', () => {
    given(revoltDecider, history(30)).when(createChannel('voice')).then((events) => expect(slowModeOf(events)).toBe(0));
    given(revoltDecider, history(0)).when(createChannel('text')).then((events) => expect(slowModeOf(events)).toBe(0));
  });

  it('changing it later moves channels created afterwards, not the existing ones', () => {
    const changed = given(revoltDecider, history(0)).when(update(ids.owner, { slowMode: 60 })).then((events) => events);
    const after = given(revoltDecider, [...history(0), ...changed]);
    expect(after.state.channels.get(ids.general)?.settings.slowMode).toBe(0);
    after.when(createChannel('text')).then((events) => expect(slowModeOf(events)).toBe(60));
  });
});

describe('channel settings name a text channel of the revolt', () => {
  it('systemChannelId and rulesChannelId accept a text channel and refuse a voice or unknown one', () => {
    given(revoltDecider, history(0))
      .when(update(ids.owner, { systemChannelId: ids.general, rulesChannelId: ids.general }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['RevoltUpdated']));
    given(revoltDecider, history(0)).when(update(ids.owner, { systemChannelId: ids.voice })).thenFails(422, 'not_a_text_channel');
    given(revoltDecider, history(0)).when(update(ids.owner, { rulesChannelId: 'f'.repeat(24) })).thenFails(422, 'not_a_text_channel');
  });

  it('the state remembers since when the system channel is set (system messages tell only of what came after)', () => {
    expect(given(revoltDecider, history(0)).state.systemChannelSince).toBeUndefined();
    const later = '2026-01-02T00:00:00.000Z';
    const set = given(revoltDecider, history(0)).when({ ...update(ids.owner, { systemChannelId: ids.general }), at: later } as RevoltCommand).then((events) => events);
    expect(given(revoltDecider, [...history(0), ...set]).state.systemChannelSince).toBe(later);
    const other = given(revoltDecider, [...history(0), ...set]).when(update(ids.owner, { slowMode: 5 })).then((events) => events);
    expect(given(revoltDecider, [...history(0), ...set, ...other]).state.systemChannelSince).toBe(later);
  });
});

describe('content filter keywords are a setting of those who manage the revolt', () => {
  it('the owner sets them; a plain member may not', () => {
    given(revoltDecider, history(0))
      .when(update(ids.owner, { contentFilter: 2, contentFilterKeywords: ['spoiler'] }))
      .then((events) => expect(events[0]?.data).toMatchObject({ changes: { settings: { contentFilter: 2, contentFilterKeywords: ['spoiler'] } } }));
    given(revoltDecider, history(0)).when(update(ids.bob, { contentFilterKeywords: ['spoiler'] })).thenFails(403, 'forbidden');
  });
});

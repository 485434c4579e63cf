import { describe, expect, it } from 'vitest';
import { mayReadChannel, readableChannelIds } from '../../../src/commands/permissions/reading.ts';
import { channelIdsShownTo, isLiveMember, viewableChannels } from '../../../src/commands/permissions/visibility.ts';
import { deletedRevolt, MOD, OUTSIDER, OWNER, PLAIN, privateRevolt, revolt } from './fixture.ts';

const ids = (state: ReturnType<typeof revolt>, userId: string) =>
  [...state.channels].filter(([, c]) => viewableChannels(state, userId).includes(c)).map(([id]) => id);

describe('which channels one may view, learn of and read', () => {
  it('a member views what VIEW_CHANNEL after overwrites and privacy lets them; a non-member views nothing from inside', () => {
    expect(ids(revolt(), PLAIN)).toEqual(['general', 'lounge', 'muted']);
    expect(ids(revolt(), MOD)).toEqual(['general', 'lounge', 'secret', 'muted']);
    expect(ids(revolt(), OWNER)).toEqual(['general', 'lounge', 'secret', 'muted']);
    expect(ids(revolt(), OUTSIDER)).toEqual([]);
    expect(ids(deletedRevolt(), OWNER)).toEqual([]);
  });

  it('the channels one learns of: a member their own view, anyone else what @everyone may view; none of a deleted revolt', () => {
    expect([...channelIdsShownTo(revolt(), MOD)]).toEqual(['general', 'lounge', 'secret', 'muted']);
    expect([...channelIdsShownTo(revolt(), OUTSIDER)]).toEqual(['general', 'lounge', 'muted']);
    expect([...channelIdsShownTo(deletedRevolt(), OWNER)]).toEqual([]);
  });

  it("one reads a channel's messages in a text channel one views with READ_MESSAGE_HISTORY", () => {
    expect(readableChannelIds(revolt(), PLAIN)).toEqual(['general']);
    expect(readableChannelIds(revolt(), MOD)).toEqual(['general', 'secret']);
    expect(mayReadChannel(revolt(), PLAIN, 'lounge')).toBe(false);
    expect(mayReadChannel(revolt(), PLAIN, 'secret')).toBe(false);
    expect(mayReadChannel(revolt(), OUTSIDER, 'general')).toBe(false);
    expect(readableChannelIds(deletedRevolt(), OWNER)).toEqual([]);
  });

  it('live membership: a member of a revolt that exists and is not deleted', () => {
    expect(isLiveMember(revolt(), PLAIN)).toBe(true);
    expect(isLiveMember(privateRevolt(), OUTSIDER)).toBe(false);
    expect(isLiveMember(deletedRevolt(), PLAIN)).toBe(false);
    expect(isLiveMember(undefined, PLAIN)).toBe(false);
  });
});

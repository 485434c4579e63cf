import { describe, it } from 'vitest';
import type { FollowCommand } from '../../src/commands/follows/commands.ts';
import { followsDecider } from '../../src/commands/follows/decide.ts';
import type { FollowEvent } from '../../src/commands/follows/events.ts';
import { given } from '../support/decider.ts';

const at = '2026-01-01T00:00:00.000Z';
const ids = { ada: '1'.repeat(24), bob: '2'.repeat(24), carol: '3'.repeat(24) };

const command = (type: FollowCommand['type'], followeeId = ids.bob, followeeExists = true): FollowCommand => ({ type, followerId: ids.ada, followeeId, followeeExists, at });
const event = (type: FollowEvent['type'], followeeId = ids.bob): FollowEvent => ({ type, data: { followerId: ids.ada, followeeId, at } });

describe('follows decider', () => {
  it('following a user records it; following them again changes nothing', () => {
    given(followsDecider).when(command('Follow')).then([event('UserFollowed')]);
    given(followsDecider, [event('UserFollowed')]).when(command('Follow')).then([]);
  });

  it('unfollowing whom one follows records it; unfollowing whom one does not follow changes nothing', () => {
    given(followsDecider, [event('UserFollowed'), event('UserFollowed', ids.carol)]).when(command('Unfollow')).then([event('UserUnfollowed')]);
    given(followsDecider).when(command('Unfollow')).then([]);
    given(followsDecider, [event('UserFollowed'), event('UserUnfollowed')]).when(command('Unfollow')).then([]);
  });

  it('following again after unfollowing records a new follow', () => {
    given(followsDecider, [event('UserFollowed'), event('UserUnfollowed')]).when(command('Follow')).then([event('UserFollowed')]);
  });

  it('nobody follows or unfollows themself', () => {
    given(followsDecider).when(command('Follow', ids.ada)).thenFails(400, 'cannot_follow_self');
    given(followsDecider).when(command('Unfollow', ids.ada)).thenFails(400, 'cannot_follow_self');
  });

  it('an unknown user can be neither followed nor unfollowed', () => {
    given(followsDecider).when(command('Follow', ids.carol, false)).thenFails(404, 'not_found');
    given(followsDecider).when(command('Unfollow', ids.carol, false)).thenFails(404, 'not_found');
  });
});

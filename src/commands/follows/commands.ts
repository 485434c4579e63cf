/**
 * Following or unfollowing a user: `followerId` is who issues it (the stream's owner), `followeeExists` whether
 * the other user is registered (the handler loads it; decide stays pure), `at` when.
 */
export interface FollowCommand {
  type: 'Follow' | 'Unfollow';
  followerId: string;
  followeeId: string;
  followeeExists: boolean;
  at: string;
}

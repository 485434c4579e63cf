import type { CommandContext, CommandHandler } from '../handler.ts';
import { userDecider, userStream } from '../users/decide.ts';
import type { FollowCommand } from './commands.ts';
import { followsDecider, followsStream } from './decide.ts';

/** Follows or unfollows `followeeId`, whose existence is read from their own stream (the source of truth, never a lagging read model). */
export async function changeFollow(commands: CommandHandler, command: Omit<FollowCommand, 'followeeExists'>, context: CommandContext) {
  const followee = command.followerId === command.followeeId ? null : await commands.load(userStream(command.followeeId), userDecider);
  return commands.execute(followsStream(command.followerId), followsDecider, { ...command, followeeExists: followee?.state.exists ?? false }, context);
}

import { notFound } from '../../commands/errors.ts';
import type { Actor } from '../../commands/revolts/decide.ts';
import { presenceOf, userDecider, userStream } from '../../commands/users/decide.ts';
import type { Services } from '../../http/services.ts';

/** The acting user's name and presence, from their aggregate (consistent, unlike a read model that may lag). */
export async function actorOf(services: Services, userId: string): Promise<Actor> {
  const { state } = await services.commands.load(userStream(userId), userDecider);
  if (!state.exists) throw notFound('user');
  return { userId, username: state.username, presence: presenceOf(state) };
}

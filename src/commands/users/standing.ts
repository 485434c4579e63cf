import type { Decider } from '../decider.ts';
import { notFound } from '../errors.ts';
import type { Loaded } from '../handler.ts';
import type { NewEvent } from '../../events/envelope.ts';
import { userDecider, userStream } from './decide.ts';

/** What a revolt's verification level asks of an account: whether its email is verified and how old it is. */
export interface AccountStanding {
  emailVerified: boolean;
  registeredAt: string;
}

interface Loader {
  load<S, E extends NewEvent>(streamId: string, decider: Decider<unknown, S, E>): Promise<Loaded<S>>;
}

/** The account's standing as its stream has it (the command handler's cached state). */
export async function accountStanding(loader: Loader, userId: string): Promise<AccountStanding> {
  const { state } = await loader.load(userStream(userId), userDecider);
  if (!state.exists) throw notFound('user');
  return { emailVerified: state.emailVerification.verifiedAt !== null, registeredAt: state.registeredAt };
}

import { isLiveMember } from '../commands/permissions/visibility.ts';
import { visibleChannelIds } from './views.ts';
import type { RevoltWorld } from './world.ts';

/**
 * What the routing rules (routing.ts) know of a session: its user, the revolts they belong to and the channels
 * they may view there. Live delivery and RESUME's replay each keep one per session.
 */
export interface Viewer {
  readonly userId: string;
  /** The revolts the user is a member of → the ids of the channels they may view there. Kept by `routeRevoltEvent`. */
  readonly revolts: Map<string, Set<string>>;
}

/** Records in the viewer's revolts those of `revoltIds` they are a member of in `world`, with the channels they may view. */
export function addMemberships(viewer: Viewer, world: Pick<RevoltWorld, 'get'>, revoltIds: Iterable<string>): void {
  for (const id of revoltIds) {
    const state = world.get(id);
    if (isLiveMember(state, viewer.userId)) viewer.revolts.set(id, visibleChannelIds(state, viewer.userId));
  }
}

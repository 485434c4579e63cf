import { ObjectId } from 'mongodb';
import { isLiveMember } from '../../commands/permissions/visibility.ts';
import type { Services } from '../../http/services.ts';
import { loadRevolt } from '../revolts/access.ts';

/**
 * Whether two users are members of a common revolt: candidates from the users read model (each user's
 * memberships), each confirmed against the revolt's aggregate. A revolt joined a moment ago and not yet projected
 * is not seen: the invite is then refused as from a stranger, and may be sent again a moment later.
 */
export async function shareRevolt(services: Services, a: string, b: string): Promise<boolean> {
  const docs = await services.db
    .collection('users')
    .find({ _id: { $in: [new ObjectId(a), new ObjectId(b)] } }, { projection: { id: 1, revoltMemberships: 1 } })
    .toArray();
  const memberships = (id: string) => new Set(((docs.find((doc) => doc.id === id)?.revoltMemberships ?? []) as Array<{ revoltId: { toString(): string } }>).map((m) => m.revoltId.toString()));
  const ofB = memberships(b);
  for (const revoltId of memberships(a)) {
    if (!ofB.has(revoltId)) continue;
    const revolt = await loadRevolt(services, revoltId).catch(() => undefined);
    if (isLiveMember(revolt, a) && isLiveMember(revolt, b)) return true;
  }
  return false;
}

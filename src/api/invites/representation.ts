import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { channelAccess } from '../../commands/permissions/access.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { requireVisible } from '../revolts/access.ts';
import { revoltSchema, revoltShownTo, type Revolt } from '../revolts/representation.ts';

/** An invite as every route shows it: its public preview (GET /invites/:code), and what regenerating a code answers. */
export const inviteSchema = z
  .object({
    code: z.string(),
    revolt: z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      icon: z.string().optional(),
      banner: z.string().optional(),
      memberCount: z.number().int(),
    }),
  })
  .meta({ id: 'Invite' });
export type Invite = z.input<typeof inviteSchema>;

const PREVIEWED = { _id: 0, id: 1, name: 1, description: 1, icon: 1, banner: 1, 'stats.memberCount': 1, 'settings.allowInvites': 1 } as const;

/**
 * The invite `code` opens, and whether its revolt takes invites now; null when no revolt holds the code. Anyone
 * may preview it: it shows only what a revolt shows before one joins.
 */
export async function inviteOf(services: Services, request: FastifyRequest, code: string): Promise<{ invite: Invite; open: boolean } | null> {
  await awaitReadModels(services, request, ['revolts']);
  const doc = await services.db.collection('revolts').findOne({ inviteCode: code }, { projection: PREVIEWED });
  if (!doc) return null;
  const { id, name, description, icon, banner } = doc;
  return { invite: { code, revolt: { id, name, description, icon, banner, memberCount: doc.stats.memberCount } }, open: doc.settings.allowInvites === true };
}

/** The invite, if its revolt takes invites (a disabled code is not found). */
export async function openInvite(services: Services, request: FastifyRequest, code: string): Promise<Invite> {
  const found = await inviteOf(services, request, code);
  if (!found?.open) throw notFound('invite');
  return found.invite;
}

/** What joining answers: the revolt as GET /revolts/:id shows it to the new member, and its rules channel to read first. */
export const joinedRevoltSchema = revoltSchema
  .extend({
    rulesChannel: z
      .object({ id: z.string(), name: z.string() })
      .optional()
      .describe("the revolt's rules channel (settings.rulesChannelId), when it has one the new member may view: what to read first"),
  })
  .meta({ id: 'JoinedRevolt' });
export type JoinedRevolt = z.input<typeof joinedRevoltSchema>;

/** The rules channel `userId` is pointed to, if the revolt names one they may view. */
export function rulesChannelFor(revolt: RevoltState, userId: string): JoinedRevolt['rulesChannel'] {
  const channelId = revolt.settings.rulesChannelId;
  if (channelId === undefined) return undefined;
  const access = channelAccess(revolt, userId, channelId);
  return access.allowed ? { id: channelId, name: access.channel.name } : undefined;
}

/** The revolt as the member who just joined it reads it, with its rules channel. */
export async function joinedRevoltShownTo(services: Services, request: FastifyRequest, revoltId: string, userId: string): Promise<JoinedRevolt> {
  const revolt: Revolt = await revoltShownTo(services, request, revoltId, userId);
  const rulesChannel = rulesChannelFor(await requireVisible(services, revoltId, userId), userId);
  return { ...revolt, ...(rulesChannel && { rulesChannel }) };
}

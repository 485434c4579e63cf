import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newId } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import type { CommandContext } from '../handler.ts';
import { notFound } from '../errors.ts';
import { reservationDecider, reservationStream } from '../reservations/reservation.ts';
import { userDecider, userStream } from '../users/decide.ts';
import { revoltDecider, revoltStream, type Actor } from './decide.ts';
import { revoltSettingsSchema } from './events.ts';
import type { RevoltState } from './state.ts';

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const createBody = z.object({
  name: z.string().trim().min(2).max(100),
  description: z.string().max(1000).default(''),
  icon: httpUrl.optional(),
  banner: httpUrl.optional(),
  settings: revoltSettingsSchema
    .pick({ isPublic: true, verificationLevel: true, maxMembers: true, allowInvites: true, slowMode: true, contentFilter: true, region: true })
    .partial()
    .strict()
    .default({}),
});
export const inviteCodeSchema = z.string().regex(/^[A-Za-z0-9]{6,16}$/, 'an invite code is 6-16 letters and digits');

const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export function newInviteCode(): string {
  return [...randomBytes(8)].map((b) => INVITE_ALPHABET[b % INVITE_ALPHABET.length]).join('');
}

export function revoltSummary(state: RevoltState) {
  return {
    id: state.revoltId,
    name: state.name,
    owner: state.ownerId,
    inviteCode: state.inviteCode,
    settings: state.settings,
    memberCount: state.members.size,
    channels: [...state.channels.keys()],
    roles: [...state.roles.values()].map(({ id, name, color, permissions, position, isManaged }) => ({
      id,
      name,
      color,
      permissions,
      position,
      isManaged,
    })),
  };
}

/** The acting user's name, from their aggregate (consistent, unlike a read model that may lag). */
export async function actorOf(services: Services, userId: string): Promise<Actor> {
  const { state } = await services.commands.load(userStream(userId), userDecider);
  if (!state.exists) throw notFound('user');
  return { userId, username: state.username };
}

/** The revolt an invite code currently opens, from the code's reservation stream. */
export async function revoltOfInvite(services: Services, code: string): Promise<string> {
  const { state } = await services.commands.load(reservationStream('invite', code), reservationDecider);
  if (!state.ownerId) throw notFound('invite');
  return state.ownerId;
}

async function claimInviteCode(services: Services, revoltId: string, context: CommandContext): Promise<string> {
  for (;;) {
    const code = newInviteCode();
    const result = await services.commands
      .execute(reservationStream('invite', code), reservationDecider, { type: 'Claim', kind: 'invite', ownerId: revoltId, at: new Date().toISOString() }, context)
      .catch((error: { status?: number }) => (error.status === 409 ? null : Promise.reject(error)));
    if (result) return code;
  }
}

export const revoltCommandRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post('/revolts', { schema: { body: createBody, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const context = commandContext(request);
    const owner = await actorOf(services, userId);
    const revoltId = newId();
    const inviteCode = await claimInviteCode(services, revoltId, context);
    const { name, description, icon, banner, settings } = request.body;
    const result = await services.commands.execute(
      revoltStream(revoltId),
      revoltDecider,
      {
        type: 'CreateRevolt',
        revoltId,
        everyoneRoleId: newId(),
        defaultChannelId: newId(),
        inviteCode,
        owner,
        name,
        description,
        ...(icon !== undefined && { icon }),
        ...(banner !== undefined && { banner }),
        settings,
        at: new Date().toISOString(),
      },
      context,
      { expected: 'no_stream' },
    );
    setEventPosition(reply, result.position);
    return reply.status(201).send(revoltSummary(result.state));
  });

  app.post(
    '/invites/:code',
    { schema: { params: z.object({ code: inviteCodeSchema }), tags: ['invites'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const revoltId = await revoltOfInvite(services, request.params.code);
      const user = await actorOf(services, userId);
      const result = await services.commands.execute(
        revoltStream(revoltId),
        revoltDecider,
        { type: 'JoinRevolt', user, inviteCode: request.params.code, at: new Date().toISOString() },
        commandContext(request),
      );
      setEventPosition(reply, result.position);
      return revoltSummary(result.state);
    },
  );
};

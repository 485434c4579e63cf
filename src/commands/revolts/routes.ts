import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { commandContext, requireAuth } from '../../http/context.ts';
import { idSchema } from '../../events/ids.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import type { CommandContext } from '../handler.ts';
import { notFound } from '../errors.ts';
import { nameSchema } from '../names.ts';
import { reservationDecider, reservationStream } from '../reservations/reservation.ts';
import { idFor, randomBytesFor } from '../request-ids.ts';
import { presenceOf, userDecider, userStream } from '../users/decide.ts';
import { revoltDecider, revoltStream, type Actor } from './decide.ts';
import { executeOnRevolt } from './execute.ts';
import { revoltSettingsSchema } from './events.ts';
import type { RevoltState } from './state.ts';
import { channelIdsShownTo } from './visibility.ts';

export const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const revoltParams = z.object({ revoltId: idSchema });
const memberParams = z.object({ revoltId: idSchema, userId: idSchema });
const reasonQuery = z.object({ reason: z.string().trim().min(1).max(512).optional() }).strict();
const revoltName = nameSchema({ what: 'a revolt name', min: 2, max: 100 });
const memberSettings = revoltSettingsSchema
  .pick({ isPublic: true, verificationLevel: true, maxMembers: true, allowInvites: true, slowMode: true, contentFilter: true, region: true })
  .partial()
  .strict();
const createBody = z
  .object({
    name: revoltName,
    description: z.string().max(1000).default(''),
    icon: httpUrl.optional(),
    banner: httpUrl.optional(),
    settings: memberSettings.default({}),
  })
  .strict();
const updateBody = z
  .object({
    name: revoltName.optional(),
    description: z.string().max(1000).optional(),
    icon: httpUrl.nullable().optional(),
    banner: httpUrl.nullable().optional(),
    settings: memberSettings
      .extend(revoltSettingsSchema.pick({ defaultChannelId: true, systemChannelId: true, rulesChannelId: true }).partial().shape)
      .optional(),
  })
  .strict();
export const inviteCodeSchema = z.string().regex(/^[A-Za-z0-9]{6,16}$/, 'an invite code is 6-16 letters and digits');

const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export function newInviteCode(context: CommandContext): string {
  return [...randomBytesFor(context, 8)].map((b) => INVITE_ALPHABET[b % INVITE_ALPHABET.length]).join('');
}

/** The revolt as `viewerId` may see it: only the channels they may view are listed. */
export function revoltSummary(state: RevoltState, viewerId: string) {
  return {
    id: state.revoltId,
    name: state.name,
    owner: state.ownerId,
    inviteCode: state.inviteCode,
    settings: state.settings,
    memberCount: state.members.size,
    channels: [...channelIdsShownTo(state, viewerId)],
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

/** The acting user's name and presence, from their aggregate (consistent, unlike a read model that may lag). */
export async function actorOf(services: Services, userId: string): Promise<Actor> {
  const { state } = await services.commands.load(userStream(userId), userDecider);
  if (!state.exists) throw notFound('user');
  return { userId, username: state.username, presence: presenceOf(state) };
}

/** The revolt an invite code currently opens, from the code's reservation stream. */
export async function revoltOfInvite(services: Services, code: string): Promise<string> {
  const { state } = await services.commands.load(reservationStream('invite', code), reservationDecider);
  if (!state.ownerId) throw notFound('invite');
  return state.ownerId;
}

async function claimInviteCode(services: Services, revoltId: string, context: CommandContext): Promise<string> {
  for (;;) {
    const code = newInviteCode(context);
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
    const revoltId = idFor(context);
    const inviteCode = await claimInviteCode(services, revoltId, context);
    const { name, description, icon, banner, settings } = request.body;
    const result = await services.commands.execute(
      revoltStream(revoltId),
      revoltDecider,
      {
        type: 'CreateRevolt',
        revoltId,
        everyoneRoleId: idFor(context),
        defaultChannelId: idFor(context),
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
    return reply.status(201).send(revoltSummary(result.state, userId));
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
      return revoltSummary(result.state, userId);
    },
  );

  app.patch('/revolts/:revoltId', { schema: { params: revoltParams, body: updateBody, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
      type: 'UpdateRevolt',
      actorId: userId,
      changes: request.body,
      at: new Date().toISOString(),
    });
    return revoltSummary(state, userId);
  });

  app.delete('/revolts/:revoltId', { schema: { params: revoltParams, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, { type: 'DeleteRevolt', actorId: userId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.post('/revolts/:revoltId/invite', { schema: { params: revoltParams, tags: ['invites'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { revoltId } = request.params;
    // Decided before a code is claimed, so a refused request (no revolt, no permission) appends nothing.
    const { state: current } = await services.commands.load(revoltStream(revoltId), revoltDecider);
    revoltDecider.decide({ type: 'RegenerateInvite', actorId: userId, inviteCode: '' }, current);
    const inviteCode = await claimInviteCode(services, revoltId, commandContext(request));
    const state = await executeOnRevolt(services, request, reply, revoltId, { type: 'RegenerateInvite', actorId: userId, inviteCode });
    return { code: state.inviteCode };
  });

  app.delete('/revolts/:revoltId/members/@me', { schema: { params: revoltParams, tags: ['members'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, { type: 'LeaveRevolt', actorId: userId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.delete(
    '/revolts/:revoltId/members/:userId',
    { schema: { params: memberParams, querystring: reasonQuery, tags: ['members'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, userId: target } = request.params;
      const { reason } = request.query;
      await executeOnRevolt(services, request, reply, revoltId, { type: 'KickMember', actorId: userId, userId: target, ...(reason && { reason }), at: new Date().toISOString() });
      return reply.status(204).send();
    },
  );

  app.put(
    '/revolts/:revoltId/bans/:userId',
    { schema: { params: memberParams, body: z.object({ reason: z.string().trim().min(1).max(512).optional() }).strict().default({}), tags: ['members'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, userId: target } = request.params;
      const { reason } = request.body;
      await executeOnRevolt(services, request, reply, revoltId, { type: 'BanMember', actorId: userId, userId: target, ...(reason && { reason }), at: new Date().toISOString() });
      return reply.status(204).send();
    },
  );

  app.delete('/revolts/:revoltId/bans/:userId', { schema: { params: memberParams, tags: ['members'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { revoltId, userId: target } = request.params;
    await executeOnRevolt(services, request, reply, revoltId, { type: 'UnbanMember', actorId: userId, userId: target, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.post(
    '/revolts/:revoltId/owner',
    { schema: { params: revoltParams, body: z.object({ userId: idSchema }).strict(), tags: ['revolts'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'TransferOwnership',
        actorId: userId,
        userId: request.body.userId,
        at: new Date().toISOString(),
      });
      return revoltSummary(state, userId);
    },
  );
};

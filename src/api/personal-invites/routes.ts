import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { personalInvitesDecider, personalInvitesStream } from '../../commands/personal-invites/decide.ts';
import type { PersonalInviteKind } from '../../commands/personal-invites/events.ts';
import { acceptPersonalInvite, declinePersonalInvite, sendPersonalInvite } from '../../commands/personal-invites/execute.ts';
import { PERSONAL_INVITES_PER_HOUR } from '../../commands/personal-invites/rules.ts';
import { idFor } from '../../commands/request-ids.ts';
import { revoltOfChannel } from '../../commands/revolts/channel-directory.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import type { RateLimitRule } from '../../http/rate-limit.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import type { PendingInviteDocument } from '../../projections/personal-invites/read-model.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { actorOf } from '../revolts/actor.ts';
import { joinedRevoltSchema, joinedRevoltShownTo } from '../invites/representation.ts';
import { responses } from '../schemas/responses.ts';
import { inviteSettingsSchema, inviteView, personalInviteListSchema, personalInviteSchema, pendingView } from './representation.ts';
import { shareRevolt } from './shared-revolts.ts';

const tags = ['invites'];
/** Personal invites of both kinds share one budget per sender (see rules.ts for why the limiter holds it). */
const inviteLimit: RateLimitRule = { bucket: 'personal-invites', limit: PERSONAL_INVITES_PER_HOUR, windowSeconds: 3600 };

const voiceJoinSchema = z.object({
  revoltId: idSchema,
  channelId: idSchema,
  /** Where the client joins the channel: PUT this path (or VOICE_REQUEST over the gateway). */
  join: z.string(),
});
const acceptedSchema = z.object({
  invite: personalInviteSchema,
  /** A revolt invite: the revolt as its new member sees it (as joining with an invite code answers). */
  revolt: joinedRevoltSchema.optional(),
  /** A voice invite: what the client needs to join the channel. */
  voice: voiceJoinSchema.optional(),
});
const answerParams = z.object({ inviteId: idSchema });

/**
 * Personal invites: a member invites a user to their revolt or to a voice channel; the invitee lists, accepts or
 * declines them, and may refuse invites from users who share no revolt with them.
 */
export const personalInviteRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  async function send(request: FastifyRequest, kind: PersonalInviteKind, revoltId: string, channelId: string | null, inviteeId: string) {
    const { userId } = requireAuth(request);
    const features = await services.features(userId);
    const context = commandContext(request);
    // Drawn from the Idempotency-Key when there is one, so a retry after a crash finds the invite it sent.
    const invite = { inviteId: idFor(context), kind, revoltId, channelId, inviterId: userId, inviteeId, features, at: new Date().toISOString() };
    return sendPersonalInvite(services.commands, invite, () => shareRevolt(services, userId, inviteeId), context);
  }

  app.post(
    '/revolts/:revoltId/invites/users/:userId',
    {
      config: { rateLimit: inviteLimit },
      schema: { params: z.object({ revoltId: idSchema, userId: idSchema }), tags, response: responses({ 201: personalInviteSchema }, 403, 404, 409) },
    },
    async (request, reply) => {
      const { revoltId, userId } = request.params;
      const sent = await send(request, 'revolt', revoltId, null, userId);
      setEventPosition(reply, sent.position);
      return reply.status(201).send(inviteView(sent.invite, userId));
    },
  );

  app.post(
    '/channels/:channelId/voice/invites/:userId',
    {
      config: { rateLimit: inviteLimit },
      schema: { params: z.object({ channelId: idSchema, userId: idSchema }), tags, response: responses({ 201: personalInviteSchema }, 403, 404, 409) },
    },
    async (request, reply) => {
      const { channelId, userId } = request.params;
      const revoltId = await revoltOfChannel(services.channelDirectory, channelId);
      const sent = await send(request, 'voice', revoltId, channelId, userId);
      setEventPosition(reply, sent.position);
      return reply.status(201).send(inviteView(sent.invite, userId));
    },
  );

  app.post(
    '/invites/personal/:inviteId/accept',
    { schema: { params: answerParams, tags, response: responses({ 200: acceptedSchema }, 403, 404, 409) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const answer = { inviteId: request.params.inviteId, inviteeId: userId, at: new Date().toISOString() };
      const { invite, position } = await acceptPersonalInvite(services.commands, answer, () => actorOf(services, userId), commandContext(request));
      setEventPosition(reply, position);
      const view = inviteView(invite, userId);
      if (invite.kind === 'voice' && invite.channelId) {
        const { revoltId, channelId } = invite;
        return { invite: view, voice: { revoltId, channelId, join: `/v1/channels/${channelId}/voice/members/@me` } };
      }
      await awaitOwnWrite(services, reply, ['revolts']);
      return { invite: view, revolt: await joinedRevoltShownTo(services, request, invite.revoltId, userId) };
    },
  );

  app.post(
    '/invites/personal/:inviteId/decline',
    { schema: { params: answerParams, tags, response: responses({ 200: personalInviteSchema }, 404, 409) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const answer = { inviteId: request.params.inviteId, inviteeId: userId, at: new Date().toISOString() };
      const { invite, position } = await declinePersonalInvite(services.commands, answer, commandContext(request));
      setEventPosition(reply, position);
      return inviteView(invite, userId);
    },
  );

  app.get('/users/@me/invites', { schema: { tags, response: { 200: personalInviteListSchema } } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['personalInvites']);
    const doc = await services.db.collection<{ _id: string; invites: PendingInviteDocument[] }>('personalInvites').findOne({ _id: userId });
    const now = new Date();
    return { items: (doc?.invites ?? []).filter((invite) => invite.expiresAt > now).map(pendingView) };
  });

  app.get('/users/@me/invite-settings', { schema: { tags, response: { 200: inviteSettingsSchema } } }, async (request) => {
    const { userId } = requireAuth(request);
    const { state } = await services.commands.load(personalInvitesStream(userId), personalInvitesDecider);
    return { onlyFromSharedRevolts: state.onlyFromSharedRevolts };
  });

  app.patch('/users/@me/invite-settings', { schema: { body: inviteSettingsSchema.strict(), tags, response: { 200: inviteSettingsSchema } } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const command = { type: 'SetPersonalInviteSettings' as const, userId, onlyFromSharedRevolts: request.body.onlyFromSharedRevolts, at: new Date().toISOString() };
    const result = await services.commands.execute(personalInvitesStream(userId), personalInvitesDecider, command, commandContext(request));
    setEventPosition(reply, result.position);
    return { onlyFromSharedRevolts: result.state.onlyFromSharedRevolts };
  });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { ruleBroken } from '../errors.ts';
import { joinVoiceSchema, moderateVoiceSchema, moveVoiceSchema, voiceSelfPatchSchema } from './commands.ts';
import { voiceCommands, type VoiceStateResult } from './execute.ts';

const channelParams = z.object({ channelId: idSchema });
const memberParams = z.object({ channelId: idSchema, userId: idSchema });
const tags = ['voice'];

/**
 * Voice over HTTP, for clients without a gateway connection (bots, tools) and for moderators; the gateway's
 * signalling calls the same execute service. Each answers with `X-Event-Position`.
 *
 * | PUT    | /channels/:channelId/voice/members/@me          | join `{selfMute?, selfDeaf?}` (leaving any other channel) |
 * | PATCH  | /channels/:channelId/voice/members/@me          | `{selfMute?, selfDeaf?, video?, screenShare?}` |
 * | DELETE | /channels/:channelId/voice/members/@me          | leave |
 * | PATCH  | /channels/:channelId/voice/members/:userId      | `{serverMute?, serverDeaf?}` (MUTE_MEMBERS, DEAFEN_MEMBERS) |
 * | POST   | /channels/:channelId/voice/members/:userId/move | `{channelId}` (MOVE_MEMBERS in both) |
 * | DELETE | /channels/:channelId/voice/members/:userId      | disconnect (MOVE_MEMBERS) |
 */
export const voiceCommandRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const voice = voiceCommands(services);
  const optionsOf = (request: Parameters<typeof commandContext>[0], channelId?: string) => {
    const { correlationId, causationId, ids } = commandContext(request);
    return { context: { correlationId, causationId, ...(ids && { ids }) }, ...(channelId && { channelId }) };
  };

  /** The caller's own participation must be in the channel of the URL. */
  async function assertIn(userId: string, channelId: string) {
    if ((await voice.currentChannel(userId))?.channelId !== channelId) throw ruleBroken('not_in_voice', 'you are not in this voice channel');
  }

  app.put(
    '/channels/:channelId/voice/members/@me',
    { schema: { params: channelParams, body: joinVoiceSchema.omit({ channelId: true }).default({}), tags } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      return answer(reply, await voice.join(userId, request.params.channelId, { ...request.body, ...optionsOf(request) }));
    },
  );

  app.patch(
    '/channels/:channelId/voice/members/@me',
    { schema: { params: channelParams, body: voiceSelfPatchSchema, tags } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      return answer(reply, await voice.updateSelf(userId, request.body, optionsOf(request, request.params.channelId)));
    },
  );

  app.delete('/channels/:channelId/voice/members/@me', { schema: { params: channelParams, tags } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await assertIn(userId, request.params.channelId);
    setEventPosition(reply, (await voice.leave(userId, optionsOf(request))).position);
    return reply.status(204).send();
  });

  app.patch(
    '/channels/:channelId/voice/members/:userId',
    { schema: { params: memberParams, body: moderateVoiceSchema, tags } },
    async (request, reply) => {
      const actorId = requireAuth(request).userId;
      const { channelId, userId } = request.params;
      const { serverMute, serverDeaf } = request.body;
      let result: VoiceStateResult | undefined;
      if (serverMute !== undefined) result = await voice.serverMute(actorId, userId, serverMute, optionsOf(request, channelId));
      if (serverDeaf !== undefined) {
        const deafened = await voice.serverDeafen(actorId, userId, serverDeaf, optionsOf(request, channelId));
        result = { ...deafened, position: deafened.position ?? result?.position ?? null };
      }
      return answer(reply, result!);
    },
  );

  app.post(
    '/channels/:channelId/voice/members/:userId/move',
    { schema: { params: memberParams, body: moveVoiceSchema, tags } },
    async (request, reply) => {
      const { channelId, userId } = request.params;
      return answer(reply, await voice.move(requireAuth(request).userId, userId, request.body.channelId, optionsOf(request, channelId)));
    },
  );

  app.delete('/channels/:channelId/voice/members/:userId', { schema: { params: memberParams, tags } }, async (request, reply) => {
    const actorId = requireAuth(request).userId;
    const { channelId, userId } = request.params;
    setEventPosition(reply, (await voice.disconnect(actorId, userId, optionsOf(request, channelId))).position);
    return reply.status(204).send();
  });
};

/** The result as the body, its position as `X-Event-Position`. */
function answer<T extends { position: number | null }>(reply: Parameters<typeof setEventPosition>[0], result: T): Omit<T, 'position'> {
  setEventPosition(reply, result.position);
  const { position: _, ...body } = result;
  return body;
}

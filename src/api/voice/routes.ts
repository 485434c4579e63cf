import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { notFound, ruleBroken } from '../../commands/errors.ts';
import { channelAccess } from '../../commands/permissions/access.ts';
import { viewableChannels } from '../../commands/permissions/visibility.ts';
import { joinVoiceSchema, moderateVoiceSchema, moveVoiceSchema, voiceSelfPatchSchema } from '../../commands/voice/commands.ts';
import { voiceCommands, type VoiceStateResult } from '../../commands/voice/execute.ts';
import { isMediaChannel } from '../../commands/voice/rules.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN, limitSchema } from '../../projections/views.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { loadRevolt, requireChannelAccess } from '../revolts/access.ts';
import { noContent, page } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { voiceMovedSchema, voiceSessionSchema, voiceStateSchema, type VoiceSession } from './representation.ts';

const channelParams = z.object({ channelId: idSchema });
const memberParams = z.object({ channelId: idSchema, userId: idSchema });
const tags = ['voice'];
const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * Voice over HTTP, for clients without a gateway connection (bots, tools) and for moderators; the gateway's
 * signalling calls the same execute service. Each command answers with `X-Event-Position`.
 *
 * | PUT    | /channels/:channelId/voice/members/@me          | join `{selfMute?, selfDeaf?}` (leaving any other channel) |
 * | PATCH  | /channels/:channelId/voice/members/@me          | `{selfMute?, selfDeaf?, video?, screenShare?}` |
 * | DELETE | /channels/:channelId/voice/members/@me          | leave |
 * | PATCH  | /channels/:channelId/voice/members/:userId      | `{serverMute?, serverDeaf?}` (MUTE_MEMBERS, DEAFEN_MEMBERS) |
 * | POST   | /channels/:channelId/voice/members/:userId/move | `{channelId}` (MOVE_MEMBERS in both) |
 * | DELETE | /channels/:channelId/voice/members/:userId      | disconnect (MOVE_MEMBERS) |
 * | GET    | /voice/sessions                                 | sessions in the channels I may view |
 * | GET    | /users/@me/voice-sessions?active=true           | the sessions I took part in (still going) |
 * | GET    | /channels/:channelId/voice                      | the channel's active session |
 */
const sessionsQuery = z.object({ active: booleanQuery.optional(), limit: limitSchema, before: idSchema.optional() });

export const voiceRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const voice = voiceCommands(services);
  const sessions = services.db.collection('voiceSessions');
  const revolts = services.db.collection('revolts');
  /** A page of the sessions matching `filter`, newest first (ids are time-ordered), optionally only the active ones. */
  const newestSessions = (filter: Filter<Document>, { active, limit, before }: z.infer<typeof sessionsQuery>) =>
    sessions
      .find<VoiceSession>({ ...filter, ...(active !== undefined && { isActive: active }), ...(before && { _id: { $lt: new ObjectId(before) } }) }, { projection: HIDDEN })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
  const optionsOf = (request: Parameters<typeof commandContext>[0], channelId?: string) => {
    const { correlationId, causationId, ids } = commandContext(request);
    return { context: { correlationId, causationId, ...(ids && { ids }) }, ...(channelId && { channelId }) };
  };

  /** The channel's active session as the read model holds it; 404 when none. */
  async function activeSession(channelId: string) {
    const session = await sessions.findOne<VoiceSession>({ channelId: new ObjectId(channelId), isActive: true }, { projection: HIDDEN, sort: { _id: -1 } });
    if (!session) throw notFound('voice session');
    return session;
  }

  /** The caller's own participation must be in the channel of the URL. */
  async function assertIn(userId: string, channelId: string) {
    if ((await voice.currentChannel(userId))?.channelId !== channelId) throw ruleBroken('not_in_voice', 'you are not in this voice channel');
  }

  app.put(
    '/channels/:channelId/voice/members/@me',
    { schema: { params: channelParams, body: joinVoiceSchema.omit({ channelId: true }).default({}), tags, response: responses({ 200: voiceSessionSchema }, 403, 404, 503) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const joined = await voice.join(userId, request.params.channelId, { ...request.body, ...optionsOf(request) });
      setEventPosition(reply, joined.position);
      // The session as GET /channels/:channelId/voice shows it, once it shows this join.
      await awaitOwnWrite(services, reply, ['voiceSessions']);
      return activeSession(joined.channelId);
    },
  );

  app.patch(
    '/channels/:channelId/voice/members/@me',
    { schema: { params: channelParams, body: voiceSelfPatchSchema, tags, response: responses({ 200: voiceStateSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      return answer(reply, await voice.updateSelf(userId, request.body, optionsOf(request, request.params.channelId)));
    },
  );

  app.delete('/channels/:channelId/voice/members/@me', { schema: { params: channelParams, tags, response: responses({ 204: noContent }, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await assertIn(userId, request.params.channelId);
    setEventPosition(reply, (await voice.leave(userId, optionsOf(request))).position);
    return reply.status(204).send();
  });

  app.patch(
    '/channels/:channelId/voice/members/:userId',
    { schema: { params: memberParams, body: moderateVoiceSchema, tags, response: responses({ 200: voiceStateSchema }, 403, 404) } },
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
    { schema: { params: memberParams, body: moveVoiceSchema, tags, response: responses({ 200: voiceMovedSchema }, 403, 404) } },
    async (request, reply) => {
      const { channelId, userId } = request.params;
      return answer(reply, await voice.move(requireAuth(request).userId, userId, request.body.channelId, optionsOf(request, channelId)));
    },
  );

  app.delete('/channels/:channelId/voice/members/:userId', { schema: { params: memberParams, tags, response: responses({ 204: noContent }, 403, 404) } }, async (request, reply) => {
    const actorId = requireAuth(request).userId;
    const { channelId, userId } = request.params;
    setEventPosition(reply, (await voice.disconnect(actorId, userId, optionsOf(request, channelId))).position);
    return reply.status(204).send();
  });

  /**
   * Sessions in the voice and video channels I may view, in the revolts I belong to, newest first; `active`
   * filters on isActive. Pages by `before` (the last session id of the previous page: ids are time-ordered).
   */
  app.get(
    '/voice/sessions',
    {
      schema: {
        querystring: sessionsQuery,
        tags,
        response: responses({ 200: page(voiceSessionSchema) }, 503),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, ['voiceSessions']);
      const mine = await revolts.find({ 'members.userId': new ObjectId(userId) }, { projection: { _id: 0, id: 1 } }).toArray();
      const channelIds: ObjectId[] = [];
      for (const { id } of mine) {
        const revolt = await loadRevolt(services, id as string).catch(() => null);
        for (const channel of revolt ? viewableChannels(revolt, userId) : []) {
          if (isMediaChannel(channel)) channelIds.push(new ObjectId(channel.channelId));
        }
      }
      const { limit } = request.query;
      const items = await newestSessions({ channelId: { $in: channelIds } }, request.query);
      const last = items.at(-1);
      return { items, next: items.length === limit && last ? (last.id as string) : null };
    },
  );

  app.get(
    '/users/@me/voice-sessions',
    {
      schema: {
        description:
          "The caller's own voice sessions, newest first: those they took part in (`active=true`: the ones still going, where they are or were today), in channels they may still view.",
        querystring: sessionsQuery,
        tags,
        response: responses({ 200: page(voiceSessionSchema) }, 503),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, ['voiceSessions']);
      const { limit } = request.query;
      // The seed's query pattern: { "participants.userId": me, isActive: true }.
      const found = await newestSessions({ 'participants.userId': new ObjectId(userId) }, request.query);
      const items: VoiceSession[] = [];
      for (const session of found) {
        const revolt = await loadRevolt(services, String(session.revoltId)).catch(() => null);
        if (revolt && channelAccess(revolt, userId, String(session.channelId)).allowed) items.push(session);
      }
      const last = found.at(-1);
      return { items, next: found.length === limit && last ? (last.id as string) : null };
    },
  );

  /** The channel's active session with its participants (those who left keep their row, with leftAt); 404 when none. */
  app.get('/channels/:channelId/voice', { schema: { params: channelParams, tags, response: responses({ 200: voiceSessionSchema }, 403, 404, 422, 503) } }, async (request) => {
    const { userId } = requireAuth(request);
    const { channel } = await requireChannelAccess(services, request.params.channelId, userId, []);
    if (!isMediaChannel(channel)) throw ruleBroken('not_a_voice_channel', 'only voice and video channels have voice sessions');
    await awaitReadModels(services, request, ['voiceSessions']);
    return activeSession(channel.channelId);
  });
};

/** The result as the body, its position as `X-Event-Position`. */
function answer<T extends { position: number | null }>(reply: Parameters<typeof setEventPosition>[0], result: T): Omit<T, 'position'> {
  setEventPosition(reply, result.position);
  const { position: _, ...body } = result;
  return body;
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { notFound, ruleBroken } from '../../commands/errors.ts';
import { isMediaChannel } from '../../commands/voice/rules.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { viewableChannels } from '../../commands/revolts/visibility.ts';
import { loadRevolt, requireChannelAccess } from '../revolts/access.ts';
import { HIDDEN, limitSchema } from '../views.ts';

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const voiceQueryRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const sessions = services.db.collection('voiceSessions');
  const revolts = services.db.collection('revolts');

  /**
   * Sessions in the voice and video channels I may view, in the revolts I belong to, newest first; `active`
   * filters on isActive. Pages by `before` (the last session id of the previous page: ids are time-ordered).
   */
  app.get(
    '/voice/sessions',
    {
      schema: {
        querystring: z.object({ active: booleanQuery.optional(), limit: limitSchema, before: idSchema.optional() }),
        tags: ['voice'],
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
      const { active, limit, before } = request.query;
      const filter: Filter<Document> = { channelId: { $in: channelIds } };
      if (active !== undefined) filter.isActive = active;
      if (before) filter._id = { $lt: new ObjectId(before) };
      const items = await sessions.find(filter, { projection: HIDDEN }).sort({ _id: -1 }).limit(limit).toArray();
      const last = items.at(-1);
      return { items, next: items.length === limit && last ? (last.id as string) : null };
    },
  );

  /** The channel's active session with its participants (those who left keep their row, with leftAt); 404 when none. */
  app.get('/channels/:channelId/voice', { schema: { params: z.object({ channelId: idSchema }), tags: ['voice'] } }, async (request) => {
    const { userId } = requireAuth(request);
    const { channel } = await requireChannelAccess(services, request.params.channelId, userId, []);
    if (!isMediaChannel(channel)) throw ruleBroken('not_a_voice_channel', 'only voice and video channels have voice sessions');
    await awaitReadModels(services, request, ['voiceSessions']);
    const session = await sessions.findOne({ channelId: new ObjectId(channel.channelId), isActive: true }, { projection: HIDDEN, sort: { _id: -1 } });
    if (!session) throw notFound('voice session');
    return session;
  });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { badRequest, notFound } from '../../commands/errors.ts';
import { MAX_PINS } from '../../commands/messages/pins.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { requireChannelAccess } from '../revolts/access.ts';
import { HIDDEN, limitSchema } from '../views.ts';
import { beyond, NEWEST_FIRST, OLDEST_FIRST } from './cursor.ts';
import { messageView } from './document.ts';
import { revoltMessageRoutes } from './revolt-routes.ts';

const pageQuery = z
  .object({ limit: limitSchema, before: idSchema.optional(), after: idSchema.optional(), around: idSchema.optional() })
  .refine((q) => [q.before, q.after, q.around].filter(Boolean).length <= 1, 'use at most one of before, after, around');

export const messageQueryRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const messages = services.db.collection('messages');

  app.get(
    '/channels/:channelId/messages',
    { schema: { params: z.object({ channelId: idSchema }), querystring: pageQuery, tags: ['messages'] } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      await requireChannelAccess(services, channelId, userId, ['READ_MESSAGE_HISTORY']);
      await awaitReadModels(services, request, ['messages']);
      const { limit, before, after, around } = request.query;
      const base = { channelId: new ObjectId(channelId), isDeleted: false };
      const cursorId = before ?? after ?? around;
      const anchor = cursorId ? await messages.findOne({ id: cursorId, channelId: base.channelId }, { projection: { createdAt: 1 } }) : null;
      if (cursorId && !anchor) throw badRequest('the cursor message is not in this channel');
      const page = async (filter: Filter<Document>, sort: typeof NEWEST_FIRST | typeof OLDEST_FIRST, n: number) =>
        (await messages.find({ ...base, ...filter }, { projection: HIDDEN }).sort(sort).limit(n).toArray()).map((m) => messageView(m, userId));
      if (!anchor) return { items: await page({}, NEWEST_FIRST, limit) };
      if (before) return { items: await page(beyond(anchor, '$lt'), NEWEST_FIRST, limit) };
      if (after) return { items: (await page(beyond(anchor, '$gt'), OLDEST_FIRST, limit)).reverse() };
      const older = await page({ $or: [beyond(anchor, '$lt'), { _id: anchor._id }] }, NEWEST_FIRST, Math.ceil(limit / 2));
      const newer = await page(beyond(anchor, '$gt'), OLDEST_FIRST, Math.floor(limit / 2));
      return { items: [...newer.reverse(), ...older] };
    },
  );

  app.get(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: z.object({ channelId: idSchema, messageId: idSchema }), tags: ['messages'] } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      await requireChannelAccess(services, channelId, userId, ['READ_MESSAGE_HISTORY']);
      await awaitReadModels(services, request, ['messages']);
      const message = await messages.findOne({ id: messageId, channelId: new ObjectId(channelId), isDeleted: false }, { projection: HIDDEN });
      if (!message) throw notFound('message');
      return messageView(message, userId);
    },
  );

  app.get(
    '/channels/:channelId/pins',
    { schema: { params: z.object({ channelId: idSchema }), tags: ['messages'] } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      await requireChannelAccess(services, channelId, userId, ['READ_MESSAGE_HISTORY']);
      await awaitReadModels(services, request, ['messages']);
      const pinned = await messages
        .find({ channelId: new ObjectId(channelId), pinned: true, isDeleted: false }, { projection: HIDDEN })
        .sort({ pinnedAt: -1, _id: -1 })
        .limit(MAX_PINS)
        .toArray();
      return { items: pinned.map((m) => messageView(m, userId)) };
    },
  );

  await app.register(revoltMessageRoutes, { services });
};

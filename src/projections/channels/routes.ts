import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { viewableChannels } from '../../commands/revolts/visibility.ts';
import { requireMember } from '../revolts/access.ts';
import { HIDDEN } from '../views.ts';

export const channelQueryRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const channels = services.db.collection('channels');

  app.get(
    '/revolts/:revoltId/channels',
    { schema: { params: z.object({ revoltId: idSchema }), tags: ['channels'] } },
    async (request) => {
      const { userId } = requireAuth(request);
      const revolt = await requireMember(services, request.params.revoltId, userId);
      await awaitReadModels(services, request, ['channels']);
      const visible = viewableChannels(revolt, userId).map((c) => new ObjectId(c.channelId));
      const items = await channels
        .find({ revoltId: new ObjectId(request.params.revoltId), _id: { $in: visible } }, { projection: HIDDEN })
        .sort({ position: 1, id: 1 })
        .toArray();
      return { items };
    },
  );
};

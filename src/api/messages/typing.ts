import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertWritable } from '../../commands/messages/rules.ts';
import { ephemeralChannel, type TypingStarted } from '../../commands/messages/typing.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import type { Services } from '../../http/services.ts';
import { requireChannelAccess } from '../revolts/access.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';

/** POST /channels/:channelId/typing → 204: "is typing", for members who may send there; rate-limited, not stored. */
export const typingRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/channels/:channelId/typing',
    {
      schema: { params: z.object({ channelId: idSchema }), tags: ['messages'], response: responses({ 204: noContent }, 403, 404) },
      config: { rateLimit: { bucket: 'typing', limit: 5, windowSeconds: 10 } },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      const { revolt, channel } = await requireChannelAccess(services, channelId, userId, ['SEND_MESSAGES']);
      assertWritable(channel);
      const event: TypingStarted = { type: 'TypingStarted', channelId, revoltId: revolt.revoltId, userId, at: new Date().toISOString() };
      await services.redis.publish(ephemeralChannel(services.config.REDIS_PREFIX), JSON.stringify(event));
      return reply.status(204).send();
    },
  );
};

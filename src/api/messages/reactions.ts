import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { messageDecider, messageStream } from '../../commands/messages/decide.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { revoltOfChannelState } from '../revolts/access.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';

/** The emoji arrives URL-decoded; whether it is one is the decider's rule (400 otherwise). */
const reactionParams = z.object({ channelId: idSchema, messageId: idSchema, emoji: z.string().min(1).max(128) });

/** PUT / DELETE /channels/:channelId/messages/:messageId/reactions/:emoji/@me: one's own reaction, idempotent both ways. */
export const reactionRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  for (const [method, type] of [['PUT', 'AddReaction'], ['DELETE', 'RemoveReaction']] as const) {
    app.route({
      method,
      url: '/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
      schema: { params: reactionParams, tags: ['messages'], response: responses({ 204: noContent }, 403, 404) },
      config: { rateLimit: { bucket: 'reactions', limit: 60, windowSeconds: 10 } },
      handler: async (request, reply) => {
        const { userId } = requireAuth(request);
        const { channelId, messageId, emoji } = request.params;
        const revolt = await revoltOfChannelState(services, channelId);
        const command = { type, messageId, channelId, actorId: userId, emoji, revolt, at: new Date().toISOString() };
        const result = await services.commands.execute(messageStream(messageId), messageDecider, command, commandContext(request));
        setEventPosition(reply, result.position);
        return reply.status(204).send();
      },
    });
  }
};

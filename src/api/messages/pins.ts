import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { MAX_PINS, messageDecider, messageStream, pinsDecider, pinsStream, type PinCommand } from '../../commands/messages/decide.ts';
import { messageFacts } from '../../commands/messages/state.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { requireChannelAccess, revoltOfChannelState } from '../revolts/access.ts';
import { list, noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { messageSchema, messageShownTo } from './representation.ts';

const pinParams = z.object({ channelId: idSchema, messageId: idSchema });

/**
 * PUT / DELETE /channels/:channelId/pins/:messageId (MANAGE_MESSAGES), on the channel's pins stream; 204, idempotent.
 * GET /channels/:channelId/pins: the pinned messages, newest pin first.
 */
export const pinRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands } = services;
  const messages = services.db.collection('messages');

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route({
      method,
      url: '/channels/:channelId/pins/:messageId',
      schema: { params: pinParams, tags: ['messages'], response: responses({ 204: noContent }, 403, 404) },
      handler: async (request, reply) => {
        const { userId } = requireAuth(request);
        const { channelId, messageId } = request.params;
        const revolt = await revoltOfChannelState(services, channelId);
        const at = new Date().toISOString();
        const command: PinCommand =
          method === 'PUT'
            ? { type: 'PinMessage', channelId, messageId, actorId: userId, revolt, message: messageFacts((await commands.load(messageStream(messageId), messageDecider)).state), at }
            : { type: 'UnpinMessage', channelId, messageId, actorId: userId, revolt, at };
        const result = await commands.execute(pinsStream(channelId), pinsDecider, command, commandContext(request));
        setEventPosition(reply, result.position);
        return reply.status(204).send();
      },
    });
  }

  app.get(
    '/channels/:channelId/pins',
    { schema: { params: z.object({ channelId: idSchema }), tags: ['messages'], response: responses({ 200: list(messageSchema) }, 403, 404, 503) } },
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
      return { items: pinned.map((m) => messageShownTo(m, userId)) };
    },
  );
};

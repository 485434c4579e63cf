import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { revoltOfChannelState } from './channel-revolt.ts';
import { messageDecider, messageStream } from './decide.ts';
import { pinsDecider, pinsStream, type PinCommand } from './pins.ts';
import { messageFacts } from './state.ts';

const pinParams = z.object({ channelId: idSchema, messageId: idSchema });

/** PUT / DELETE /channels/:channelId/pins/:messageId (MANAGE_MESSAGES), on the channel's pins stream; 204, idempotent. */
export const pinRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands } = services;
  for (const method of ['PUT', 'DELETE'] as const) {
    app.route({
      method,
      url: '/channels/:channelId/pins/:messageId',
      schema: { params: pinParams, tags: ['messages'] },
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
};

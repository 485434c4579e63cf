import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema, newId } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { revoltOfChannel } from '../../projections/channels/directory.ts';
import { messageDocument } from '../../projections/messages/document.ts';
import { notFound } from '../errors.ts';
import { revoltDecider, revoltStream } from '../revolts/decide.ts';
import { MAX_CONTENT_LENGTH, messageDecider, messageStream } from './decide.ts';

const sendBody = z.object({
  content: z.string().max(MAX_CONTENT_LENGTH),
  replyTo: idSchema.optional(),
});

export const messageCommandRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands } = services;

  app.post(
    '/channels/:channelId/messages',
    {
      schema: { params: z.object({ channelId: idSchema }), body: sendBody.strict(), tags: ['messages'] },
      config: { rateLimit: { bucket: 'send-message', limit: 120, windowSeconds: 60 } },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      const revoltId = await revoltOfChannel(services, channelId);
      if (!revoltId) throw notFound('channel');
      const { state: revolt } = await commands.load(revoltStream(revoltId), revoltDecider);
      const { replyTo, content } = request.body;
      const replied = replyTo ? { messageId: replyTo, state: (await commands.load(messageStream(replyTo), messageDecider)).state } : undefined;
      const messageId = newId();
      const result = await commands.execute(
        messageStream(messageId),
        messageDecider,
        { type: 'SendMessage', messageId, channelId, authorId: userId, content, revolt, replyTo: replied, at: new Date().toISOString() },
        commandContext(request),
        { expected: 'no_stream' },
      );
      setEventPosition(reply, result.position);
      const sent = result.events[0];
      if (sent?.type !== 'MessageSent') throw new Error('SendMessage appended no MessageSent');
      const { _id, ...message } = messageDocument(sent.data as never);
      return reply.status(201).send(message);
    },
  );
};

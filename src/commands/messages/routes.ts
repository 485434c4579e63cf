import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { documentOf, messageDocument, messageView } from '../../projections/messages/document.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE, resolveAttachments } from '../attachments/resolve.ts';
import { notFound } from '../errors.ts';
import { idFor } from '../request-ids.ts';
import { revoltOfChannelState } from './channel-revolt.ts';
import { MAX_CONTENT_LENGTH, messageDecider, messageStream, type MessageCommand } from './decide.ts';
import { embedsInputSchema } from './embeds.ts';
import { pinsDecider, pinsStream } from './pins.ts';
import { pinRoutes } from './pin-routes.ts';
import { reactionRoutes } from './reaction-routes.ts';
import { claimSlowMode } from './slow-mode-gate.ts';
import { slowModeSeconds } from './slow-mode.ts';
import { messageFacts } from './state.ts';
import { typingRoutes } from './typing.ts';

const sendBody = z
  .object({
    content: z.string().max(MAX_CONTENT_LENGTH).default(''),
    replyTo: idSchema.optional(),
    embeds: embedsInputSchema.optional(),
    /** Ids of attachments uploaded with POST /v1/attachments. */
    attachments: z.array(idSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
  })
  .strict();
const editBody = z.object({ content: z.string().max(MAX_CONTENT_LENGTH) }).strict();
const messageParams = z.object({ channelId: idSchema, messageId: idSchema });

export const messageCommandRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands, redis, config } = services;

  app.post(
    '/channels/:channelId/messages',
    {
      schema: { params: z.object({ channelId: idSchema }), body: sendBody, tags: ['messages'] },
      config: { rateLimit: { bucket: 'send-message', limit: 120, windowSeconds: 60 } },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      const { replyTo, content, embeds, attachments: attachmentIds } = request.body;
      const revolt = await revoltOfChannelState(services, channelId);
      const replied = replyTo
        ? { messageId: replyTo, state: messageFacts((await commands.load(messageStream(replyTo), messageDecider)).state) }
        : undefined;
      const attachments = attachmentIds?.length ? await resolveAttachments(services, userId, attachmentIds) : [];
      const seconds = slowModeSeconds(revolt, channelId, userId);
      const release = seconds > 0 ? await claimSlowMode(redis, config.REDIS_PREFIX, { channelId, userId, seconds }) : null;
      const messageId = idFor(commandContext(request));
      const command: MessageCommand = {
        type: 'SendMessage',
        messageId,
        channelId,
        authorId: userId,
        content,
        ...(embeds && { embeds }),
        attachments,
        revolt,
        replyTo: replied,
        at: new Date().toISOString(),
      };
      const result = await commands
        .execute(messageStream(messageId), messageDecider, command, commandContext(request), { expected: 'no_stream' })
        .catch(async (error: unknown) => {
          await release?.();
          throw error;
        });
      setEventPosition(reply, result.position);
      if (!result.state.message) throw new Error('SendMessage appended no MessageSent');
      return reply.status(201).send(messageView(messageDocument(result.state.message), userId));
    },
  );

  app.patch(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: messageParams, body: editBody, tags: ['messages'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      const revolt = await revoltOfChannelState(services, channelId);
      const command = { type: 'EditMessage', messageId, channelId, actorId: userId, content: request.body.content, revolt, at: new Date().toISOString() } as const;
      const { state, position } = await commands.execute(messageStream(messageId), messageDecider, command, commandContext(request));
      setEventPosition(reply, position);
      if (!state.message) throw notFound('message');
      const pins = await commands.load(pinsStream(channelId), pinsDecider);
      return messageView(documentOf({ ...state, message: state.message }, pins.state.pinned.get(messageId)), userId);
    },
  );

  app.delete(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: messageParams, tags: ['messages'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      const revolt = await revoltOfChannelState(services, channelId);
      const at = new Date().toISOString();
      const context = commandContext(request);
      const deleted = await commands.execute(messageStream(messageId), messageDecider, { type: 'DeleteMessage', messageId, channelId, actorId: userId, revolt, at }, context);
      // Runs on every delete, so a retry also repairs a pin left behind by a failure between the two appends.
      const released = await commands.execute(
        pinsStream(channelId),
        pinsDecider,
        { type: 'ReleaseDeletedMessage', revoltId: revolt.revoltId, channelId, messageId, deletedBy: userId, at },
        context,
      );
      setEventPosition(reply, released.position ?? deleted.position);
      return reply.status(204).send();
    },
  );

  for (const routes of [reactionRoutes, pinRoutes, typingRoutes]) await app.register(routes, { services });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE, resolveAttachments } from '../../commands/attachments/resolve.ts';
import { badRequest, notFound } from '../../commands/errors.ts';
import { embedsInputSchema } from '../../commands/messages/content/embeds.ts';
import { MAX_CONTENT_LENGTH, messageDecider, messageStream, pinsDecider, pinsStream, type MessageCommand } from '../../commands/messages/decide.ts';
import { claimSlowMode } from '../../commands/messages/slow-mode-gate.ts';
import { slowModeSeconds } from '../../commands/messages/slow-mode.ts';
import { messageFacts } from '../../commands/messages/state.ts';
import { idFor } from '../../commands/request-ids.ts';
import { verificationApplies } from '../../commands/revolts/verification-level.ts';
import { accountStanding } from '../../commands/users/standing.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import type { TimelinePage } from '../../projections/history/channel-history.ts';
import { HISTORY_READ_MODEL } from '../../projections/history/read-model.ts';
import { documentOf, messageDocument } from '../../projections/messages/document.ts';
import { shownTo } from '../../projections/search/document.ts';
import { limitSchema } from '../../projections/views.ts';
import { requireChannelAccess, revoltOfChannelState } from '../revolts/access.ts';
import { list, noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { pinRoutes } from './pins.ts';
import { reactionRoutes } from './reactions.ts';
import { messageSchema, messageShownTo, type Message } from './representation.ts';
import { revoltMessageRoutes } from './revolt-messages.ts';
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
const pageQuery = z
  .object({ limit: limitSchema, before: idSchema.optional(), after: idSchema.optional(), around: idSchema.optional() })
  .refine((q) => [q.before, q.after, q.around].filter(Boolean).length <= 1, 'use at most one of before, after, around');

export const messageRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands, redis, config } = services;

  app.post(
    '/channels/:channelId/messages',
    {
      schema: { params: z.object({ channelId: idSchema }), body: sendBody, tags: ['messages'], response: responses({ 201: messageSchema }, 403, 404) },
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
      const account = verificationApplies(revolt, userId) ? await accountStanding(commands, userId) : undefined;
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
        ...(account && { account }),
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
      return reply.status(201).send(messageShownTo(messageDocument(result.state.message), userId));
    },
  );

  app.patch(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: messageParams, body: editBody, tags: ['messages'], response: responses({ 200: messageSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      const revolt = await revoltOfChannelState(services, channelId);
      const command = { type: 'EditMessage', messageId, channelId, actorId: userId, content: request.body.content, revolt, at: new Date().toISOString() } as const;
      const { state, position } = await commands.execute(messageStream(messageId), messageDecider, command, commandContext(request));
      setEventPosition(reply, position);
      if (!state.message) throw notFound('message');
      const pins = await commands.load(pinsStream(channelId), pinsDecider);
      return messageShownTo(documentOf({ ...state, message: state.message }, pins.state.pinned.get(messageId)), userId);
    },
  );

  app.delete(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: messageParams, tags: ['messages'], response: responses({ 204: noContent }, 403, 404) } },
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

  app.get(
    '/channels/:channelId/messages',
    { schema: { params: z.object({ channelId: idSchema }), querystring: pageQuery, tags: ['messages'], response: responses({ 200: list(messageSchema) }, 403, 404, 503) } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { channelId } = request.params;
      await requireChannelAccess(services, channelId, userId, ['READ_MESSAGE_HISTORY']);
      await awaitReadModels(services, request, [HISTORY_READ_MODEL]);
      const { limit, before, after, around } = request.query;
      const cursorId = before ?? after ?? around;
      const anchor = cursorId ? await services.history.place(channelId, cursorId) : null;
      if (cursorId && !anchor) throw badRequest('the cursor message is not in this channel');
      const page = async (n: number, direction: TimelinePage['direction'], from?: TimelinePage['from']) =>
        (await services.history.page({ channelId, limit: n, direction, from })).map((m) => shownTo(m, userId) as Message);
      if (!anchor) return { items: await page(limit, 'older') };
      if (before) return { items: await page(limit, 'older', { ...anchor, inclusive: false }) };
      if (after) return { items: (await page(limit, 'newer', { ...anchor, inclusive: false })).reverse() };
      const older = await page(Math.ceil(limit / 2), 'older', { ...anchor, inclusive: true });
      const newer = await page(Math.floor(limit / 2), 'newer', { ...anchor, inclusive: false });
      return { items: [...newer.reverse(), ...older] };
    },
  );

  app.get(
    '/channels/:channelId/messages/:messageId',
    { schema: { params: messageParams, tags: ['messages'], response: responses({ 200: messageSchema }, 403, 404, 503) } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      await requireChannelAccess(services, channelId, userId, ['READ_MESSAGE_HISTORY']);
      await awaitReadModels(services, request, [HISTORY_READ_MODEL]);
      const message = await services.history.message(channelId, messageId);
      if (!message) throw notFound('message');
      return shownTo(message, userId) as Message;
    },
  );

  for (const routes of [reactionRoutes, pinRoutes, typingRoutes, revoltMessageRoutes]) await app.register(routes, { services });
};

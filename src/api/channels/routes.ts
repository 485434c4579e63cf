import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { nameSchema } from '../../commands/names.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { idFor } from '../../commands/request-ids.ts';
import { channelSettingsSchema, channelTypeSchema } from '../../commands/revolts/events.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { viewableChannels } from '../../commands/revolts/visibility.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { channelRevolt } from '../../projections/channels/directory.ts';
import { requireMember } from '../../projections/revolts/access.ts';
import { HIDDEN } from '../../projections/views.ts';
import { executeOnRevolt } from '../revolts/execute.ts';

/** Also the name of a category (a channel of type `category`). */
const channelName = nameSchema({ what: 'a channel name', min: 1, max: 100 });
const settingsInput = channelSettingsSchema.omit({ archivedAt: true }).partial().strict();
const createBody = z
  .object({
    name: channelName,
    type: channelTypeSchema.default('text'),
    description: z.string().max(1024).optional(),
    position: z.number().int().min(0).max(10_000).optional(),
    categoryId: idSchema.optional(),
    settings: settingsInput.default({}),
  })
  .strict();
const updateBody = z
  .object({
    name: channelName.optional(),
    description: z.string().max(1024).optional(),
    position: z.number().int().min(0).max(10_000).optional(),
    categoryId: idSchema.nullable().optional(),
    settings: settingsInput.optional(),
  })
  .strict();
const overwriteBody = z
  .object({
    type: z.enum(['role', 'member']),
    allow: z.array(permissionSchema).max(64).default([]),
    deny: z.array(permissionSchema).max(64).default([]),
  })
  .strict();
const channelParams = z.object({ channelId: idSchema });
const overwriteParams = z.object({ channelId: idSchema, targetId: idSchema });

function channelView(state: RevoltState, channelId: string) {
  const channel = state.channels.get(channelId);
  if (!channel) throw notFound('channel');
  const { overwrites, channelId: id, ...rest } = channel;
  return { id, revoltId: state.revoltId, ...rest, permissions: overwrites };
}

export const channelRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const channels = services.db.collection('channels');

  app.post(
    '/revolts/:revoltId/channels',
    { schema: { params: z.object({ revoltId: idSchema }), body: createBody, tags: ['channels'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const channelId = idFor(commandContext(request));
      const { type, name, description, position, categoryId, settings } = request.body;
      const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'CreateChannel',
        actorId: userId,
        channelId,
        name,
        channelType: type,
        ...(description !== undefined && { description }),
        ...(position !== undefined && { position }),
        ...(categoryId !== undefined && { categoryId }),
        settings,
        at: new Date().toISOString(),
      });
      return reply.status(201).send(channelView(state, channelId));
    },
  );

  app.patch('/channels/:channelId', { schema: { params: channelParams, body: updateBody, tags: ['channels'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { channelId } = request.params;
    const state = await executeOnRevolt(services, request, reply, await channelRevolt(services, channelId), {
      type: 'UpdateChannel',
      actorId: userId,
      channelId,
      changes: request.body,
      at: new Date().toISOString(),
    });
    return channelView(state, channelId);
  });

  app.delete('/channels/:channelId', { schema: { params: channelParams, tags: ['channels'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { channelId } = request.params;
    await executeOnRevolt(services, request, reply, await channelRevolt(services, channelId), {
      type: 'DeleteChannel',
      actorId: userId,
      channelId,
      at: new Date().toISOString(),
    });
    return reply.status(204).send();
  });

  app.put(
    '/channels/:channelId/permissions/:targetId',
    { schema: { params: overwriteParams, body: overwriteBody, tags: ['channels'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, targetId } = request.params;
      const { type, allow, deny } = request.body;
      await executeOnRevolt(services, request, reply, await channelRevolt(services, channelId), {
        type: 'SetChannelPermissions',
        actorId: userId,
        channelId,
        targetType: type,
        targetId,
        allow,
        deny,
        at: new Date().toISOString(),
      });
      return reply.status(204).send();
    },
  );

  app.delete('/channels/:channelId/permissions/:targetId', { schema: { params: overwriteParams, tags: ['channels'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { channelId, targetId } = request.params;
    await executeOnRevolt(services, request, reply, await channelRevolt(services, channelId), {
      type: 'RemoveChannelPermissions',
      actorId: userId,
      channelId,
      targetId,
      at: new Date().toISOString(),
    });
    return reply.status(204).send();
  });

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

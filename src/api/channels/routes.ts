import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { nameSchema } from '../../commands/names.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { viewableChannels } from '../../commands/permissions/visibility.ts';
import { idFor } from '../../commands/request-ids.ts';
import { revoltOfChannel } from '../../commands/revolts/channel-directory.ts';
import { channelSettingsSchema, channelTypeSchema } from '../../commands/revolts/events.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { cachedRead } from '../../http/cached-reads.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { requireMember } from '../revolts/access.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { executeOnRevolt } from '../revolts/execute.ts';
import { list, noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { channelOf, channelSchema, type Channel } from './representation.ts';

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
    settings: settingsInput.default({}).describe("settings left out take their defaults; a text channel's slowMode defaults to its revolt's settings.slowMode"),
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

export const channelRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const channels = services.db.collection('channels');

  app.post(
    '/revolts/:revoltId/channels',
    { schema: { params: z.object({ revoltId: idSchema }), body: createBody, tags: ['channels'], response: responses({ 201: channelSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const channelId = idFor(commandContext(request));
      const { type, name, description, position, categoryId, settings } = request.body;
      await executeOnRevolt(services, request, reply, request.params.revoltId, {
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
      await awaitOwnWrite(services, reply, ['channels']);
      return reply.status(201).send(await channelOf(services, request, channelId));
    },
  );

  app.patch('/channels/:channelId', { schema: { params: channelParams, body: updateBody, tags: ['channels'], response: responses({ 200: channelSchema }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { channelId } = request.params;
    await executeOnRevolt(services, request, reply, await revoltOfChannel(services.channelDirectory, channelId), {
      type: 'UpdateChannel',
      actorId: userId,
      channelId,
      changes: request.body,
      at: new Date().toISOString(),
    });
    await awaitOwnWrite(services, reply, ['channels']);
    return channelOf(services, request, channelId);
  });

  app.delete('/channels/:channelId', { schema: { params: channelParams, tags: ['channels'], response: responses({ 204: noContent }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { channelId } = request.params;
    await executeOnRevolt(services, request, reply, await revoltOfChannel(services.channelDirectory, channelId), {
      type: 'DeleteChannel',
      actorId: userId,
      channelId,
      at: new Date().toISOString(),
    });
    return reply.status(204).send();
  });

  app.put(
    '/channels/:channelId/permissions/:targetId',
    { schema: { params: overwriteParams, body: overwriteBody, tags: ['channels'], response: responses({ 204: noContent }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, targetId } = request.params;
      const { type, allow, deny } = request.body;
      await executeOnRevolt(services, request, reply, await revoltOfChannel(services.channelDirectory, channelId), {
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

  app.delete(
    '/channels/:channelId/permissions/:targetId',
    { schema: { params: overwriteParams, tags: ['channels'], response: responses({ 204: noContent }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, targetId } = request.params;
      await executeOnRevolt(services, request, reply, await revoltOfChannel(services.channelDirectory, channelId), {
        type: 'RemoveChannelPermissions',
        actorId: userId,
        channelId,
        targetId,
        at: new Date().toISOString(),
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/revolts/:revoltId/channels',
    { schema: { params: z.object({ revoltId: idSchema }), tags: ['channels'], response: responses({ 200: list(channelSchema) }, 404, 503) } },
    async (request) => {
      const { userId } = requireAuth(request);
      const { revoltId } = request.params;
      const revolt = await requireMember(services, revoltId, userId);
      const visible = new Set(viewableChannels(revolt, userId).map((c) => c.channelId));
      const all = await cachedRead(services, request, 'channels', `revolt:${revoltId}`, () =>
        channels.find<Channel>({ revoltId: new ObjectId(revoltId) }, { projection: HIDDEN }).sort({ position: 1, id: 1 }).toArray(),
      );
      return { items: all.filter((channel) => visible.has(channel.id)) };
    },
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { badRequest } from '../../commands/errors.ts';
import { nameSchema } from '../../commands/names.ts';
import { idFor } from '../../commands/request-ids.ts';
import { revoltDecider, revoltStream, type RevoltCommand } from '../../commands/revolts/decide.ts';
import { revoltSettingsSchema } from '../../commands/revolts/events.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { escapeRegex, limitSchema } from '../../projections/views.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { claimInviteCode } from '../invites/codes.ts';
import { list, noContent, page } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { revoltDocsShownTo } from './access.ts';
import { actorOf } from './actor.ts';
import { executeOnRevolt } from './execute.ts';
import { REVOLT_PROJECTION, revoltSchema, revoltShownTo, type Revolt } from './representation.ts';

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const revoltParams = z.object({ revoltId: idSchema });
const revoltName = nameSchema({ what: 'a revolt name', min: 2, max: 100 });
const memberSettings = revoltSettingsSchema
  .pick({ isPublic: true, verificationLevel: true, maxMembers: true, allowInvites: true, slowMode: true, contentFilter: true, contentFilterKeywords: true, region: true, donationsEnabled: true })
  .partial()
  .strict();
const createBody = z
  .object({
    name: revoltName,
    description: z.string().max(1000).default(''),
    icon: httpUrl.optional(),
    banner: httpUrl.optional(),
    settings: memberSettings.default({}),
  })
  .strict();
const updateBody = z
  .object({
    name: revoltName.optional(),
    description: z.string().max(1000).optional(),
    icon: httpUrl.nullable().optional(),
    banner: httpUrl.nullable().optional(),
    settings: memberSettings
      .extend(revoltSettingsSchema.pick({ defaultChannelId: true, systemChannelId: true, rulesChannelId: true }).partial().shape)
      .optional(),
  })
  .strict();

/** Discovery pages by (memberCount desc, id asc); the cursor is that pair, opaque to clients. */
const encodeCursor = (doc: Document) => Buffer.from(JSON.stringify([doc.stats.memberCount, doc.id])).toString('base64url');
function decodeCursor(cursor: string): [number, string] {
  try {
    const [count, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (Number.isInteger(count) && typeof id === 'string' && idSchema.safeParse(id).success) return [count as number, id];
  } catch {
    // fall through to the error below
  }
  throw badRequest('after is not a cursor this API returned');
}

export const revoltRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const revolts = services.db.collection('revolts');

  app.post('/revolts', { schema: { body: createBody, tags: ['revolts'], response: responses({ 201: revoltSchema }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const context = commandContext(request);
    const owner = await actorOf(services, userId);
    const features = await services.features(userId);
    const revoltId = idFor(context);
    const { name, description, icon, banner, settings } = request.body;
    const at = new Date().toISOString();
    const create = (inviteCode: string, everyoneRoleId: string, defaultChannelId: string): RevoltCommand => ({
      type: 'CreateRevolt',
      revoltId,
      everyoneRoleId,
      defaultChannelId,
      inviteCode,
      owner,
      name,
      description,
      ...(icon !== undefined && { icon }),
      ...(banner !== undefined && { banner }),
      settings,
      features,
      at,
    });
    // Decided before a code is claimed, so a refused request (a feature the owner has not unlocked) claims nothing.
    revoltDecider.decide(create('', revoltId, revoltId), revoltDecider.initialState);
    const inviteCode = await claimInviteCode(services, revoltId, context);
    const result = await services.commands.execute(revoltStream(revoltId), revoltDecider, create(inviteCode, idFor(context), idFor(context)), context, {
      expected: 'no_stream',
    });
    setEventPosition(reply, result.position);
    reply.header('location', `/v1/revolts/${revoltId}`);
    await awaitOwnWrite(services, reply, ['revolts']);
    return reply.status(201).send(await revoltShownTo(services, request, revoltId, userId));
  });

  app.patch('/revolts/:revoltId', { schema: { params: revoltParams, body: updateBody, tags: ['revolts'], response: responses({ 200: revoltSchema }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, {
      type: 'UpdateRevolt',
      actorId: userId,
      changes: request.body,
      features: await services.features(userId),
      at: new Date().toISOString(),
    });
    await awaitOwnWrite(services, reply, ['revolts']);
    return revoltShownTo(services, request, request.params.revoltId, userId);
  });

  app.delete('/revolts/:revoltId', { schema: { params: revoltParams, tags: ['revolts'], response: responses({ 204: noContent }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, { type: 'DeleteRevolt', actorId: userId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.post(
    '/revolts/:revoltId/owner',
    { schema: { params: revoltParams, body: z.object({ userId: idSchema }).strict(), tags: ['revolts'], response: responses({ 200: revoltSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'TransferOwnership',
        actorId: userId,
        userId: request.body.userId,
        at: new Date().toISOString(),
      });
      await awaitOwnWrite(services, reply, ['revolts']);
      return revoltShownTo(services, request, request.params.revoltId, userId);
    },
  );

  app.get(
    '/revolts',
    {
      schema: {
        querystring: z.object({
          q: z.string().trim().max(100).optional(),
          sort: z.enum(['members']).default('members'),
          limit: limitSchema,
          after: z.string().max(200).optional(),
        }),
        tags: ['revolts'],
        response: responses({ 200: page(revoltSchema) }, 503),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, ['revolts']);
      const { q, limit, after } = request.query;
      const filter: Filter<Document> = { 'settings.isPublic': true };
      const and: Filter<Document>[] = [];
      if (q) {
        const pattern = { $regex: escapeRegex(q), $options: 'i' };
        and.push({ $or: [{ name: pattern }, { description: pattern }] });
      }
      if (after) {
        const [count, id] = decodeCursor(after);
        and.push({ $or: [{ 'stats.memberCount': { $lt: count } }, { 'stats.memberCount': count, id: { $gt: id } }] });
      }
      if (and.length > 0) filter.$and = and;
      const found = await revolts.find(filter, { projection: REVOLT_PROJECTION }).sort({ 'stats.memberCount': -1, id: 1 }).limit(limit).toArray();
      const last = found.at(-1);
      const items = (await revoltDocsShownTo(services, found, userId)) as Revolt[];
      return { items, next: found.length === limit && last ? encodeCursor(last) : null };
    },
  );

  app.get('/users/@me/revolts', { schema: { tags: ['revolts'], response: responses({ 200: list(revoltSchema) }, 503) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['revolts']);
    const found = await revolts.find({ 'members.userId': new ObjectId(userId) }, { projection: REVOLT_PROJECTION }).sort({ createdAt: -1 }).toArray();
    return { items: (await revoltDocsShownTo(services, found, userId)) as Revolt[] };
  });

  app.get('/revolts/:revoltId', { schema: { params: revoltParams, tags: ['revolts'], response: responses({ 200: revoltSchema }, 404, 503) } }, async (request) => {
    const { userId } = requireAuth(request);
    return revoltShownTo(services, request, request.params.revoltId, userId);
  });
};

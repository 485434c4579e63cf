import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { badRequest, notFound } from '../../commands/errors.ts';
import { nameSchema } from '../../commands/names.ts';
import { idFor } from '../../commands/request-ids.ts';
import { revoltDecider, revoltStream } from '../../commands/revolts/decide.ts';
import { revoltSettingsSchema } from '../../commands/revolts/events.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { requireVisible, revoltDocShownTo, revoltDocsShownTo } from '../../projections/revolts/access.ts';
import { escapeRegex, HIDDEN, limitSchema } from '../../projections/views.ts';
import { claimInviteCode } from '../invites/codes.ts';
import { actorOf } from './actor.ts';
import { executeOnRevolt } from './execute.ts';
import { revoltSummary } from './summary.ts';

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const revoltParams = z.object({ revoltId: idSchema });
const revoltName = nameSchema({ what: 'a revolt name', min: 2, max: 100 });
const memberSettings = revoltSettingsSchema
  .pick({ isPublic: true, verificationLevel: true, maxMembers: true, allowInvites: true, slowMode: true, contentFilter: true, region: true })
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

/** Lists never carry the members array (it can hold a revolt's every member); /members pages it. */
const LIST_PROJECTION = { ...HIDDEN, members: 0 } as const;

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

  app.post('/revolts', { schema: { body: createBody, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const context = commandContext(request);
    const owner = await actorOf(services, userId);
    const revoltId = idFor(context);
    const inviteCode = await claimInviteCode(services, revoltId, context);
    const { name, description, icon, banner, settings } = request.body;
    const result = await services.commands.execute(
      revoltStream(revoltId),
      revoltDecider,
      {
        type: 'CreateRevolt',
        revoltId,
        everyoneRoleId: idFor(context),
        defaultChannelId: idFor(context),
        inviteCode,
        owner,
        name,
        description,
        ...(icon !== undefined && { icon }),
        ...(banner !== undefined && { banner }),
        settings,
        at: new Date().toISOString(),
      },
      context,
      { expected: 'no_stream' },
    );
    setEventPosition(reply, result.position);
    return reply.status(201).send(revoltSummary(result.state, userId));
  });

  app.patch('/revolts/:revoltId', { schema: { params: revoltParams, body: updateBody, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
      type: 'UpdateRevolt',
      actorId: userId,
      changes: request.body,
      at: new Date().toISOString(),
    });
    return revoltSummary(state, userId);
  });

  app.delete('/revolts/:revoltId', { schema: { params: revoltParams, tags: ['revolts'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, { type: 'DeleteRevolt', actorId: userId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.post(
    '/revolts/:revoltId/owner',
    { schema: { params: revoltParams, body: z.object({ userId: idSchema }).strict(), tags: ['revolts'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'TransferOwnership',
        actorId: userId,
        userId: request.body.userId,
        at: new Date().toISOString(),
      });
      return revoltSummary(state, userId);
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
      const found = await revolts.find(filter, { projection: LIST_PROJECTION }).sort({ 'stats.memberCount': -1, id: 1 }).limit(limit).toArray();
      const last = found.at(-1);
      return { items: await revoltDocsShownTo(services, found, userId), next: found.length === limit && last ? encodeCursor(last) : null };
    },
  );

  app.get('/users/@me/revolts', { schema: { tags: ['revolts'] } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['revolts']);
    const found = await revolts.find({ 'members.userId': new ObjectId(userId) }, { projection: LIST_PROJECTION }).sort({ createdAt: -1 }).toArray();
    return { items: await revoltDocsShownTo(services, found, userId) };
  });

  app.get('/revolts/:revoltId', { schema: { params: revoltParams, tags: ['revolts'] } }, async (request) => {
    const { userId } = requireAuth(request);
    const state = await requireVisible(services, request.params.revoltId, userId);
    await awaitReadModels(services, request, ['revolts']);
    const doc = await revolts.findOne({ id: request.params.revoltId }, { projection: LIST_PROJECTION });
    if (!doc) throw notFound('revolt');
    return revoltDocShownTo(doc, state, userId);
  });
};

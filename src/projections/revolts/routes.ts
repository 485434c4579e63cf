import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { badRequest, notFound } from '../../commands/errors.ts';
import { inviteCodeSchema } from '../../commands/revolts/routes.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { escapeRegex, HIDDEN, limitSchema } from '../views.ts';
import { requireMember, requireVisible, revoltDocShownTo, revoltDocsShownTo } from './access.ts';

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

export const revoltQueryRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const revolts = services.db.collection('revolts');

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

  app.get('/revolts/:revoltId', { schema: { params: z.object({ revoltId: idSchema }), tags: ['revolts'] } }, async (request) => {
    const { userId } = requireAuth(request);
    const state = await requireVisible(services, request.params.revoltId, userId);
    await awaitReadModels(services, request, ['revolts']);
    const doc = await revolts.findOne({ id: request.params.revoltId }, { projection: LIST_PROJECTION });
    if (!doc) throw notFound('revolt');
    return revoltDocShownTo(doc, state, userId);
  });

  app.get(
    '/revolts/:revoltId/members',
    {
      schema: {
        params: z.object({ revoltId: idSchema }),
        querystring: z.object({ limit: limitSchema, after: idSchema.optional() }),
        tags: ['revolts'],
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await requireMember(services, request.params.revoltId, userId);
      await awaitReadModels(services, request, ['revolts']);
      const doc = await revolts.findOne({ id: request.params.revoltId }, { projection: { members: 1 } });
      if (!doc) throw notFound('revolt');
      const members = (doc.members as Document[]).slice().sort((a, b) => a.joinedAt - b.joinedAt || String(a.userId).localeCompare(String(b.userId)));
      const { after, limit } = request.query;
      const start = after ? members.findIndex((m) => m.userId.toHexString() === after) + 1 : 0;
      const items = members.slice(start, start + limit);
      const last = items.at(-1);
      return { items, next: items.length === limit && last ? last.userId.toHexString() : null };
    },
  );

  app.get(
    '/invites/:code',
    { config: { public: true }, schema: { params: z.object({ code: inviteCodeSchema }), tags: ['invites'], security: [] } },
    async (request) => {
      await awaitReadModels(services, request, ['revolts']);
      const doc = await revolts.findOne(
        { inviteCode: request.params.code },
        { projection: { _id: 0, id: 1, name: 1, description: 1, icon: 1, banner: 1, 'stats.memberCount': 1, 'settings.allowInvites': 1 } },
      );
      if (!doc || !doc.settings.allowInvites) throw notFound('invite');
      return { code: request.params.code, revolt: { id: doc.id, name: doc.name, description: doc.description, icon: doc.icon, banner: doc.banner, memberCount: doc.stats.memberCount } };
    },
  );
};

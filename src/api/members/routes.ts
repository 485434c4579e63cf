import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { cachedRead } from '../../http/cached-reads.ts';
import type { Services } from '../../http/services.ts';
import { limitSchema } from '../../projections/views.ts';
import { requireMember } from '../revolts/access.ts';
import { executeOnRevolt } from '../revolts/execute.ts';
import { noContent, page } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { memberSchema, type Member } from './representation.ts';

const revoltParams = z.object({ revoltId: idSchema });
const memberParams = z.object({ revoltId: idSchema, userId: idSchema });
const reasonQuery = z.object({ reason: z.string().trim().min(1).max(512).optional() }).strict();

/** A revolt's members: leaving, kicks, bans, and the member list. */
export const memberRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const revolts = services.db.collection('revolts');

  app.delete('/revolts/:revoltId/members/@me', { schema: { params: revoltParams, tags: ['members'], response: responses({ 204: noContent }, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    await executeOnRevolt(services, request, reply, request.params.revoltId, { type: 'LeaveRevolt', actorId: userId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.delete(
    '/revolts/:revoltId/members/:userId',
    { schema: { params: memberParams, querystring: reasonQuery, tags: ['members'], response: responses({ 204: noContent }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, userId: target } = request.params;
      const { reason } = request.query;
      await executeOnRevolt(services, request, reply, revoltId, { type: 'KickMember', actorId: userId, userId: target, ...(reason && { reason }), at: new Date().toISOString() });
      return reply.status(204).send();
    },
  );

  app.put(
    '/revolts/:revoltId/bans/:userId',
    {
      schema: {
        params: memberParams,
        body: z.object({ reason: z.string().trim().min(1).max(512).optional() }).strict().default({}),
        tags: ['members'],
        response: responses({ 204: noContent }, 403, 404),
      },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, userId: target } = request.params;
      const { reason } = request.body;
      await executeOnRevolt(services, request, reply, revoltId, { type: 'BanMember', actorId: userId, userId: target, ...(reason && { reason }), at: new Date().toISOString() });
      return reply.status(204).send();
    },
  );

  app.delete('/revolts/:revoltId/bans/:userId', { schema: { params: memberParams, tags: ['members'], response: responses({ 204: noContent }, 403, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { revoltId, userId: target } = request.params;
    await executeOnRevolt(services, request, reply, revoltId, { type: 'UnbanMember', actorId: userId, userId: target, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  app.get(
    '/revolts/:revoltId/members',
    {
      schema: {
        params: revoltParams,
        querystring: z.object({ limit: limitSchema, after: idSchema.optional() }),
        tags: ['revolts'],
        response: responses({ 200: page(memberSchema) }, 404, 503),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await requireMember(services, request.params.revoltId, userId);
      const { revoltId } = request.params;
      const members = await cachedRead(services, request, 'revolts', `members:${revoltId}`, async () => {
        const doc = await revolts.findOne({ _id: new ObjectId(revoltId) }, { projection: { members: 1 } });
        return doc && (doc.members as Document[]).sort((a, b) => a.joinedAt - b.joinedAt || String(a.userId).localeCompare(String(b.userId)));
      });
      if (!members) throw notFound('revolt');
      const { after, limit } = request.query;
      const start = after ? members.findIndex((m) => m.userId.toHexString() === after) + 1 : 0;
      const items = members.slice(start, start + limit);
      const last = items.at(-1);
      return { items: items as Member[], next: items.length === limit && last ? last.userId.toHexString() : null };
    },
  );
};

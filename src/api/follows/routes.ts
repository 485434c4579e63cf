import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { changeFollow } from '../../commands/follows/execute.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { limitSchema } from '../../projections/views.ts';
import { responses } from '../schemas/responses.ts';
import { afterTimeCursor, encodeTimeCursor, NEWEST_FIRST } from '../time-cursor.ts';

/** A user by id, or `@me`. */
const userParams = z.object({ userId: z.union([idSchema, z.literal('@me')]) });
const followIdSchema = z.string().regex(/^[0-9a-f]{24}-[0-9a-f]{24}$/);
const pageQuery = z.object({ limit: limitSchema, before: z.string().max(200).optional() }).strict();

const followedUserSchema = z.object({
  id: idSchema,
  username: z.string().optional(),
  discriminator: z.string().optional(),
  avatar: z.string().optional(),
  /** When the current follow began. */
  followedAt: z.iso.datetime(),
});
const followPageSchema = z.object({ items: z.array(followedUserSchema), next: z.string().nullable() });
const noContent = { 204: z.undefined().describe('done (also when nothing changed)') };

/** Following and unfollowing users, and the pages of a user's followers and of whom they follow, newest first. */
export const followRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const users = services.db.collection('users');
  const follows = services.db.collection('follows');

  for (const [method, type] of [['put', 'Follow'], ['delete', 'Unfollow']] as const) {
    app[method]('/users/:userId/follow', { schema: { params: userParams, tags: ['follows'], response: responses(noContent, 404) } }, async (request, reply) => {
      const { userId } = requireAuth(request);
      const followeeId = request.params.userId === '@me' ? userId : request.params.userId;
      const result = await changeFollow(services.commands, { type, followerId: userId, followeeId, at: new Date().toISOString() }, commandContext(request));
      setEventPosition(reply, result.position);
      return reply.status(204).send();
    });
  }

  /** One page of follows matching `side` (the user's followers, or whom they follow), as the other users. */
  async function page(side: 'followeeId' | 'followerId', request: { params: z.infer<typeof userParams>; query: z.infer<typeof pageQuery> }, self: string) {
    const subject = request.params.userId === '@me' ? self : request.params.userId;
    if (!(await users.findOne({ _id: new ObjectId(subject) }, { projection: { _id: 1 } }))) throw notFound('user');
    const { limit, before } = request.query;
    const filter: Document = { [side]: new ObjectId(subject), active: true };
    const docs = await follows
      .find(before ? { $and: [filter, afterTimeCursor(before, followIdSchema)] } : filter)
      .sort(NEWEST_FIRST)
      .limit(limit)
      .toArray();
    const other = side === 'followeeId' ? 'followerId' : 'followeeId';
    const ids = docs.map((doc) => doc[other] as ObjectId);
    const found = ids.length === 0 ? [] : await users.find({ _id: { $in: ids } }, { projection: { _id: 0, id: 1, username: 1, discriminator: 1, avatar: 1 } }).toArray();
    const byId = new Map(found.map((user) => [user.id as string, user]));
    const items = docs.map((doc) => {
      const id = (doc[other] as ObjectId).toHexString();
      return { id, ...byId.get(id), followedAt: (doc.createdAt as Date).toISOString() };
    });
    const last = docs.at(-1);
    return { items, next: docs.length === limit && last ? encodeTimeCursor(last) : null };
  }

  const listSchema = { params: userParams, querystring: pageQuery, tags: ['follows'], response: responses({ 200: followPageSchema }, 404) };
  app.get('/users/:userId/followers', { schema: listSchema }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['follows', 'users']);
    return page('followeeId', request, userId);
  });
  app.get('/users/:userId/following', { schema: listSchema }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['follows', 'users']);
    return page('followerId', request, userId);
  });
};

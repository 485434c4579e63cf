import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { badRequest } from '../../commands/errors.ts';
import { readableChannelIds } from '../../commands/permissions/reading.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { beyond, NEWEST_FIRST } from '../../projections/messages/cursor.ts';
import { SEARCH_READ_MODEL } from '../../projections/search/read-model.ts';
import { shownTo } from '../../projections/search/document.ts';
import { HIDDEN, limitSchema } from '../../projections/views.ts';
import { requireMember } from '../revolts/access.ts';
import { list } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { messageSchema, messageShownTo, type Message } from './representation.ts';

const DAY_MS = 24 * 3600 * 1000;
const RECENT_DEFAULT_MS = DAY_MS;
const RECENT_MAX_MS = 30 * DAY_MS;

const recentQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  limit: limitSchema,
  before: idSchema.optional(),
});
const searchQuery = z.object({ q: z.string().min(1).max(100), limit: limitSchema, before: idSchema.optional() });

/** Revolt-wide message queries: the seed's "recent messages in a revolt" and search, over the channels the caller may read. */
export const revoltMessageRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const messages = services.db.collection('messages');

  /** The caller and the channels of the revolt they may read, once `readModels` have their writes. */
  async function readerOf(request: FastifyRequest, revoltId: string, readModels: string[]) {
    const { userId } = requireAuth(request);
    const revolt = await requireMember(services, revoltId, userId);
    const channelIds = readableChannelIds(revolt, userId);
    await awaitReadModels(services, request, readModels);
    return { userId, channelIds };
  }

  /** Newest first, `before` a message of these channels; a member never sees a hit from a channel they can't read. */
  async function readable(
    request: FastifyRequest,
    revoltId: string,
    filter: Filter<Document>,
    page: { limit: number; before?: string | undefined },
  ) {
    const reader = await readerOf(request, revoltId, ['messages']);
    const { userId } = reader;
    const channelIds = reader.channelIds.map((id) => new ObjectId(id));
    if (channelIds.length === 0) return { items: [] };
    const base = { revoltId: new ObjectId(revoltId), channelId: { $in: channelIds } };
    let cursor: Filter<Document> = {};
    if (page.before) {
      const anchor = await messages.findOne({ ...base, id: page.before }, { projection: { createdAt: 1 } });
      if (!anchor) throw badRequest('the cursor message is not one of the messages you may read here');
      cursor = beyond(anchor, '$lt');
    }
    const found = await messages
      .find({ ...base, isDeleted: false, ...filter, ...cursor }, { projection: HIDDEN })
      .sort(NEWEST_FIRST)
      .limit(page.limit)
      .toArray();
    return { items: found.map((m) => messageShownTo(m, userId)) };
  }

  app.get(
    '/revolts/:revoltId/messages/recent',
    { schema: { params: z.object({ revoltId: idSchema }), querystring: recentQuery, tags: ['messages'], response: responses({ 200: list(messageSchema) }, 404, 503) } },
    async (request) => {
      const { since, limit, before } = request.query;
      const now = Date.now();
      const from = since === undefined ? now - RECENT_DEFAULT_MS : Date.parse(since);
      if (from < now - RECENT_MAX_MS) throw badRequest('since reaches at most 30 days back', { maxDays: RECENT_MAX_MS / DAY_MS });
      return readable(request, request.params.revoltId, { createdAt: { $gte: new Date(from) } }, { limit, before });
    },
  );

  app.get(
    '/revolts/:revoltId/messages/search',
    { schema: { params: z.object({ revoltId: idSchema }), querystring: searchQuery, tags: ['messages'], response: responses({ 200: list(messageSchema) }, 404, 503) } },
    async (request) => {
      const { q, limit, before } = request.query;
      const { revoltId } = request.params;
      const { userId, channelIds } = await readerOf(request, revoltId, [SEARCH_READ_MODEL]);
      if (channelIds.length === 0) return { items: [] };
      const anchor = before === undefined ? undefined : await services.search.anchor(revoltId, channelIds, before);
      if (anchor === null) throw badRequest('the cursor message is not one of the messages you may read here');
      const found = await services.search.search({ revoltId, channelIds, query: q, limit, before: anchor });
      return { items: found.map((doc) => shownTo(doc, userId) as Message) };
    },
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import type { RevoltNotificationSettings } from '../../commands/notifications/events.ts';
import { markAllNotificationsRead, markNotificationRead, updateNotificationSettings } from '../../commands/notifications/execute.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { INBOX_READ_MODEL } from '../../projections/inbox/read-model.ts';
import { NOTIFICATION_SETTINGS } from '../../projections/notifications/read-model.ts';
import { limitSchema } from '../../projections/views.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { noContent, page } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../time-cursor.ts';
import { notificationSchema, notificationSettingsSchema } from './representation.ts';

/** The inbox (pages, unread counts, marking) is read from its PostgreSQL read model; settings from `notificationSettings`. */
const INBOX_READ_MODELS = [INBOX_READ_MODEL];
const SETTINGS_READ_MODELS = ['notifications'];
const listQuery = z
  .object({ limit: limitSchema, before: z.string().max(200).optional(), unread: z.enum(['true', 'false']).optional() })
  .strict();
const idParams = z.object({ id: idSchema });
const settingsBody = z
  .object({
    revolts: z
      .array(z.object({ revoltId: idSchema, muted: z.boolean().optional(), mentionsOnly: z.boolean().optional(), suppressJoinLeave: z.boolean().optional() }).strict())
      .min(1)
      .max(100),
  })
  .strict();
/** Reading and marking is cheap and frequent (a client marks as its user scrolls); settings change rarely. */
const MARK_LIMIT = { limit: 300, windowSeconds: 60 };
const SETTINGS_LIMIT = { limit: 30, windowSeconds: 60 };

/**
 * The caller's inbox: their notifications newest first (only theirs: anyone else's is 404), the unread count (one
 * read of a counter kept by the read model), marking one or all read; and their notification settings per revolt.
 * Each page is one index range scan of the inbox read model (src/projections/inbox), whatever the number of
 * notifications.
 */
export const notificationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const settings = services.db.collection<{ _id: string; revolts?: Record<string, RevoltNotificationSettings> }>(NOTIFICATION_SETTINGS);

  const mine = (userId: string, id: string) => services.inbox.notification(userId, id);
  const unreadOf = (userId: string) => services.inbox.unreadCount(userId);
  async function settingsOf(userId: string) {
    const doc = await settings.findOne({ _id: userId });
    return { revolts: Object.entries(doc?.revolts ?? {}).map(([revoltId, each]) => ({ revoltId, ...each })) };
  }

  app.get('/notifications', { schema: { querystring: listQuery, tags: ['notifications'], response: responses({ 200: page(notificationSchema) }) } }, async (request) => {
    const { userId } = requireAuth(request);
    const { limit, before, unread } = request.query;
    const after = before === undefined ? undefined : decodeTimeCursor(before, idSchema);
    await awaitReadModels(services, request, INBOX_READ_MODELS);
    const docs = await services.inbox.page({ userId, limit, unreadOnly: unread === 'true', before: after });
    const last = docs.at(-1);
    return { items: docs, next: docs.length === limit && last ? encodeTimeCursor({ createdAt: new Date(last.createdAt), id: last.id }) : null };
  });

  app.get('/notifications/unread-count', { schema: { tags: ['notifications'], response: responses({ 200: z.object({ count: z.number().int() }) }) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, INBOX_READ_MODELS);
    return { count: await unreadOf(userId) };
  });

  app.post(
    '/notifications/:id/read',
    { schema: { params: idParams, tags: ['notifications'], response: responses({ 200: notificationSchema }, 404) }, config: { rateLimit: MARK_LIMIT } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, INBOX_READ_MODELS);
      const doc = await mine(userId, request.params.id);
      const facts = doc && { recipientId: userId, isRead: doc.isRead };
      const result = await markNotificationRead(services.commands, userId, request.params.id, facts, commandContext(request));
      setEventPosition(reply, result.position);
      await awaitOwnWrite(services, reply, INBOX_READ_MODELS);
      const read = await mine(userId, request.params.id);
      if (!read) throw notFound('notification');
      return read;
    },
  );

  app.post(
    '/notifications/read-all',
    { schema: { tags: ['notifications'], response: responses({ 204: noContent }) }, config: { rateLimit: MARK_LIMIT } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, INBOX_READ_MODELS);
      const result = await markAllNotificationsRead(services.commands, userId, await unreadOf(userId), commandContext(request));
      setEventPosition(reply, result.position);
      await awaitOwnWrite(services, reply, INBOX_READ_MODELS);
      return reply.status(204).send();
    },
  );

  app.get('/users/@me/notification-settings', { schema: { tags: ['notifications'], response: responses({ 200: notificationSettingsSchema }) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, SETTINGS_READ_MODELS);
    return settingsOf(userId);
  });

  app.patch(
    '/users/@me/notification-settings',
    { schema: { body: settingsBody, tags: ['notifications'], response: responses({ 200: notificationSettingsSchema }, 404) }, config: { rateLimit: SETTINGS_LIMIT } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const result = await updateNotificationSettings(services.commands, userId, request.body.revolts, commandContext(request));
      setEventPosition(reply, result.position);
      await awaitOwnWrite(services, reply, SETTINGS_READ_MODELS);
      return settingsOf(userId);
    },
  );
};

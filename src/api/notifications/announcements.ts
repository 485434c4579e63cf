import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from '../../commands/notifications/events.ts';
import { postAnnouncement } from '../../commands/notifications/execute.ts';
import { idFor } from '../../commands/request-ids.ts';
import { staffRolesOf } from '../../commands/staff/roster.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { responses } from '../schemas/responses.ts';

const announcementBody = z
  .object({ revoltId: idSchema.optional(), title: z.string().trim().min(1).max(MAX_TITLE_LENGTH), message: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) })
  .strict();
const announcementSchema = z
  .object({ id: z.string(), revoltId: z.string().optional(), title: z.string(), message: z.string(), postedAt: z.iso.datetime() })
  .meta({ id: 'Announcement' });

/**
 * `POST /announcements`: an operator's system announcement, to one revolt's members or (without `revoltId`) to
 * every registered user. It is recorded at once; the notifications follow as the reactor writes them.
 */
export const announcementRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/announcements',
    {
      schema: { body: announcementBody, tags: ['notifications'], response: responses({ 201: announcementSchema }, 403, 404) },
      config: { rateLimit: { limit: 10, windowSeconds: 60 } },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const context = commandContext(request);
      const actor = { id: userId, roles: await staffRolesOf(services.commands, userId) };
      const result = await postAnnouncement(services.commands, actor, { announcementId: idFor(context), ...request.body }, context);
      setEventPosition(reply, result.position);
      const posted = result.events.find((event) => event.type === 'AnnouncementPosted')?.data as { announcementId: string; revoltId?: string; title: string; message: string; at: string } | undefined;
      if (!posted) throw new Error('an announcement was decided without its event');
      const { announcementId, revoltId, title, message, at } = posted;
      return reply.status(201).send({ id: announcementId, ...(revoltId && { revoltId }), title, message, postedAt: at });
    },
  );
};

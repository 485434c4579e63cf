import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Document } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { usernameSchema } from '../../commands/names.ts';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import { profileSchema, userStatusSchema } from '../../commands/users/events.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';

/** Fields only the user themself may see (stats.totalDonated would reveal their anonymous donations). */
const PRIVATE_FIELDS = { email: 0, letterProgress: 0, revoltMemberships: 0, voiceState: 0, 'stats.totalDonated': 0 } as const;

/** Others see an invisible user as offline. */
function publicView(user: Document): Document {
  return user.status === 'invisible' ? { ...user, status: 'offline' } : user;
}

export const userRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const users = services.db.collection('users');

  app.patch('/users/@me', { schema: { body: profileSchema.strict(), tags: ['users'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const result = await services.commands.execute(
      userStream(userId),
      userDecider,
      { type: 'UpdateProfile', changes: request.body },
      commandContext(request),
    );
    setEventPosition(reply, result.position);
    return { id: userId, ...request.body };
  });

  app.put(
    '/users/@me/status',
    { schema: { body: z.object({ status: userStatusSchema }).strict(), tags: ['users'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const result = await services.commands.execute(
        userStream(userId),
        userDecider,
        { type: 'SetStatus', status: request.body.status, at: new Date().toISOString() },
        commandContext(request),
      );
      setEventPosition(reply, result.position);
      return { id: userId, status: request.body.status };
    },
  );

  app.get('/users/@me', { schema: { tags: ['users'] } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['users']);
    const user = await users.findOne({ id: userId }, { projection: HIDDEN });
    if (!user) throw notFound('user');
    return user;
  });

  app.get('/users/:userId', { schema: { params: z.object({ userId: idSchema }), tags: ['users'] } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['users']);
    const self = request.params.userId === userId;
    const user = await users.findOne({ id: request.params.userId }, { projection: self ? HIDDEN : { ...HIDDEN, ...PRIVATE_FIELDS } });
    if (!user) throw notFound('user');
    return self ? user : publicView(user);
  });

  app.get(
    '/users/by-tag/:username/:discriminator',
    { schema: { params: z.object({ username: usernameSchema, discriminator: z.string().regex(/^\d{4}$/) }), tags: ['users'] } },
    async (request) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, ['users']);
      const { username, discriminator } = request.params;
      const user = await users.findOne({ username, discriminator }, { projection: { ...HIDDEN, ...PRIVATE_FIELDS } });
      if (!user) throw notFound('user');
      return user.id === userId ? users.findOne({ id: userId }, { projection: HIDDEN }) : publicView(user);
    },
  );
};

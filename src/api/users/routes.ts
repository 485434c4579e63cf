import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { usernameSchema } from '../../commands/names.ts';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import { profileSchema, userStatusSchema } from '../../commands/users/events.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { responses } from '../schemas/responses.ts';
import { selfOf, userSchema, userShownTo } from './representation.ts';

/** Profiles: one's own, whole (and what changing it answers), and others' without their private fields. */
export const userRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.patch('/users/@me', { schema: { body: profileSchema.strict(), tags: ['users'], response: responses({ 200: userSchema }, 404) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const result = await services.commands.execute(
      userStream(userId),
      userDecider,
      { type: 'UpdateProfile', changes: request.body },
      commandContext(request),
    );
    setEventPosition(reply, result.position);
    await awaitOwnWrite(services, reply, ['users']);
    return selfOf(services, request, userId);
  });

  app.put(
    '/users/@me/status',
    { schema: { body: z.object({ status: userStatusSchema }).strict(), tags: ['users'], response: responses({ 200: userSchema }, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const result = await services.commands.execute(
        userStream(userId),
        userDecider,
        { type: 'SetStatus', status: request.body.status, at: new Date().toISOString() },
        commandContext(request),
      );
      setEventPosition(reply, result.position);
      await awaitOwnWrite(services, reply, ['users']);
      return selfOf(services, request, userId);
    },
  );

  app.get('/users/@me', { schema: { tags: ['users'], response: responses({ 200: userSchema }, 404, 503) } }, async (request) =>
    selfOf(services, request, requireAuth(request).userId),
  );

  app.get(
    '/users/:userId',
    { schema: { params: z.object({ userId: idSchema }), tags: ['users'], response: responses({ 200: userSchema }, 404, 503) } },
    async (request) => userShownTo(services, request, { id: request.params.userId }, requireAuth(request).userId),
  );

  app.get(
    '/users/by-tag/:username/:discriminator',
    {
      schema: {
        params: z.object({ username: usernameSchema, discriminator: z.string().regex(/^\d{4}$/) }),
        tags: ['users'],
        response: responses({ 200: userSchema }, 404, 503),
      },
    },
    async (request) => {
      const { username, discriminator } = request.params;
      return userShownTo(services, request, { username, discriminator }, requireAuth(request).userId);
    },
  );
};

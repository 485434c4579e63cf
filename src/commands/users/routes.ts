import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { userDecider, userStream } from './decide.ts';
import { profileSchema, userStatusSchema } from './events.ts';
import { z } from 'zod';

export const userCommandRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
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
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { nameSchema } from '../../commands/names.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { idFor } from '../../commands/request-ids.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import type { Services } from '../../http/services.ts';
import { executeOnRevolt } from '../revolts/execute.ts';

const roleFields = z.object({
  name: nameSchema({ what: 'a role name', min: 1, max: 100 }).refine((n) => n !== '@everyone', '@everyone is reserved'),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a color is #rrggbb'),
  permissions: z.array(permissionSchema).max(64),
  position: z.number().int().min(1).max(1000),
});
const createBody = roleFields.partial({ color: true, permissions: true, position: true }).strict();
const roleParams = z.object({ revoltId: idSchema, roleId: idSchema });
const grantParams = z.object({ revoltId: idSchema, userId: idSchema, roleId: idSchema });

function roleView(state: RevoltState, roleId: string) {
  const role = state.roles.get(roleId);
  if (!role) throw notFound('role');
  const { id, name, color, permissions, position, isManaged } = role;
  return { id, name, color, permissions, position, isManaged };
}

export const roleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/revolts/:revoltId/roles',
    { schema: { params: z.object({ revoltId: idSchema }), body: createBody, tags: ['roles'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const roleId = idFor(commandContext(request));
      const { name, color = '#99aab5', permissions = [], position } = request.body;
      const state = await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'CreateRole',
        actorId: userId,
        roleId,
        name,
        color,
        permissions,
        ...(position !== undefined && { position }),
        at: new Date().toISOString(),
      });
      return reply.status(201).send(roleView(state, roleId));
    },
  );

  app.patch(
    '/revolts/:revoltId/roles/:roleId',
    { schema: { params: roleParams, body: roleFields.partial().strict(), tags: ['roles'] } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, roleId } = request.params;
      const state = await executeOnRevolt(services, request, reply, revoltId, {
        type: 'UpdateRole',
        actorId: userId,
        roleId,
        changes: request.body,
        at: new Date().toISOString(),
      });
      return roleView(state, roleId);
    },
  );

  app.delete('/revolts/:revoltId/roles/:roleId', { schema: { params: roleParams, tags: ['roles'] } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { revoltId, roleId } = request.params;
    await executeOnRevolt(services, request, reply, revoltId, { type: 'DeleteRole', actorId: userId, roleId, at: new Date().toISOString() });
    return reply.status(204).send();
  });

  for (const [method, type] of [
    ['PUT', 'GrantRole'],
    ['DELETE', 'RevokeRole'],
  ] as const) {
    app.route({
      method,
      url: '/revolts/:revoltId/members/:userId/roles/:roleId',
      schema: { params: grantParams, tags: ['roles'] },
      handler: async (request, reply) => {
        const { userId } = requireAuth(request);
        const { revoltId, userId: target, roleId } = request.params;
        await executeOnRevolt(services, request, reply, revoltId, { type, actorId: userId, userId: target, roleId, at: new Date().toISOString() });
        return reply.status(204).send();
      },
    });
  }
};

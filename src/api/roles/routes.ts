import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { nameSchema } from '../../commands/names.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { idFor } from '../../commands/request-ids.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import type { Services } from '../../http/services.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { executeOnRevolt } from '../revolts/execute.ts';
import { roleSchema, revoltShownTo } from '../revolts/representation.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';

const roleFields = z.object({
  name: nameSchema({ what: 'a role name', min: 1, max: 100 }).refine((n) => n !== '@everyone', '@everyone is reserved'),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a color is #rrggbb'),
  permissions: z.array(permissionSchema).max(64),
  position: z.number().int().min(1).max(1000),
});
const createBody = roleFields.partial({ color: true, permissions: true, position: true }).strict();
const roleParams = z.object({ revoltId: idSchema, roleId: idSchema });
const grantParams = z.object({ revoltId: idSchema, userId: idSchema, roleId: idSchema });

/** A role as its revolt shows it to `userId` (GET /revolts/:id lists them): what creating or editing one answers. */
async function roleShownTo(services: Services, request: FastifyRequest, revoltId: string, roleId: string, userId: string) {
  const role = (await revoltShownTo(services, request, revoltId, userId)).roles.find((r) => r.id === roleId);
  if (!role) throw notFound('role');
  return role;
}

export const roleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/revolts/:revoltId/roles',
    { schema: { params: z.object({ revoltId: idSchema }), body: createBody, tags: ['roles'], response: responses({ 201: roleSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const roleId = idFor(commandContext(request));
      const { name, color = '#99aab5', permissions = [], position } = request.body;
      await executeOnRevolt(services, request, reply, request.params.revoltId, {
        type: 'CreateRole',
        actorId: userId,
        roleId,
        name,
        color,
        permissions,
        ...(position !== undefined && { position }),
        at: new Date().toISOString(),
      });
      await awaitOwnWrite(services, reply, ['revolts']);
      return reply.status(201).send(await roleShownTo(services, request, request.params.revoltId, roleId, userId));
    },
  );

  app.patch(
    '/revolts/:revoltId/roles/:roleId',
    { schema: { params: roleParams, body: roleFields.partial().strict(), tags: ['roles'], response: responses({ 200: roleSchema }, 403, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId, roleId } = request.params;
      await executeOnRevolt(services, request, reply, revoltId, {
        type: 'UpdateRole',
        actorId: userId,
        roleId,
        changes: request.body,
        at: new Date().toISOString(),
      });
      await awaitOwnWrite(services, reply, ['revolts']);
      return roleShownTo(services, request, revoltId, roleId, userId);
    },
  );

  app.delete('/revolts/:revoltId/roles/:roleId', { schema: { params: roleParams, tags: ['roles'], response: responses({ 204: noContent }, 403, 404) } }, async (request, reply) => {
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
      schema: { params: grantParams, tags: ['roles'], response: responses({ 204: noContent }, 403, 404) },
      handler: async (request, reply) => {
        const { userId } = requireAuth(request);
        const { revoltId, userId: target, roleId } = request.params;
        await executeOnRevolt(services, request, reply, revoltId, { type, actorId: userId, userId: target, roleId, at: new Date().toISOString() });
        return reply.status(204).send();
      },
    });
  }
};

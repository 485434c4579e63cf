import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { ackChannel } from '../../commands/read-states/execute.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { readStatesOfMember } from '../../projections/read-states/view.ts';
import { loadRevolt, revoltOfChannelState } from '../revolts/access.ts';
import { responses } from '../schemas/responses.ts';

const tags = ['read-states'];

const channelReadStateSchema = z.object({
  channelId: idSchema,
  revoltId: idSchema,
  lastReadMessageId: idSchema.nullable(),
  lastMessageId: idSchema.nullable(),
  unreadCount: z.number().int().min(0),
  mentionCount: z.number().int().min(0),
});
export const readStatesSchema = z.object({
  channels: z.array(channelReadStateSchema),
  revolts: z.array(z.object({ revoltId: idSchema, unreadCount: z.number().int().min(0), mentionCount: z.number().int().min(0) })),
});

/** The user's revolt ids as the users read model lists them (each confirmed against its aggregate by readStatesOfMember). */
async function membershipCandidates(services: Services, userId: string): Promise<string[]> {
  const doc = await services.db.collection('users').findOne({ _id: new ObjectId(userId) }, { projection: { revoltMemberships: 1 } });
  return ((doc?.revoltMemberships ?? []) as Array<{ revoltId: { toString(): string } }>).map((m) => m.revoltId.toString());
}

/**
 * Read states: acking a channel up to a message (clients batch: one ack of the newest message read), and the
 * user's unread and mention counts per channel and revolt. The gateway sends the same in READY and dispatches each
 * ack (`ChannelAcked`) to the user's own sockets; new messages update the counts client-side, from the
 * MessageSent dispatches the client receives anyway (as Discord's clients do).
 */
export const readStateRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/channels/:channelId/ack/:messageId',
    { schema: { params: z.object({ channelId: idSchema, messageId: idSchema }), tags, response: responses({ 204: z.undefined().describe('acked (also when the channel was read further already)') }, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { channelId, messageId } = request.params;
      const revolt = await revoltOfChannelState(services, channelId);
      const result = await ackChannel(services.commands, { userId, channelId, messageId, revolt, at: new Date().toISOString() }, commandContext(request));
      setEventPosition(reply, result.position);
      return reply.status(204).send();
    },
  );

  app.get('/users/@me/read-states', { schema: { tags, response: { 200: readStatesSchema } } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['readStates', 'users']);
    return readStatesOfMember(services.db, userId, await membershipCandidates(services, userId), (id) => loadRevolt(services, id));
  });
};

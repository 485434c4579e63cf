import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { channelSettingsSchema, channelTypeSchema, revoltEventSchemas } from '../../commands/revolts/events.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

/** A channel (or category) as every route shows it: the list of a revolt's channels, and what its commands answer. */
export const channelSchema = z
  .object({
    id: z.string(),
    revoltId: objectId,
    name: z.string(),
    type: channelTypeSchema,
    description: z.string().optional(),
    position: z.number().int(),
    categoryId: z.string().optional(),
    permissions: z.array(revoltEventSchemas.ChannelPermissionsSet.shape.overwrite).describe('permission overwrites for roles and members'),
    settings: channelSettingsSchema.extend({ archivedAt: timestamp.optional() }),
    lastMessageId: z.string().optional(),
    lastActivity: timestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Channel' });
export type Channel = z.input<typeof channelSchema>;

/** One channel as the list shows it (what a command on it answers); 404 if it is not there. */
export async function channelOf(services: Services, request: FastifyRequest, channelId: string): Promise<Channel> {
  await awaitReadModels(services, request, ['channels']);
  const channel = await services.db.collection('channels').findOne<Channel>({ id: channelId }, { projection: HIDDEN });
  if (!channel) throw notFound('channel');
  return channel;
}

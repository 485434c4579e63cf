import type { FastifyRequest } from 'fastify';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { revoltSettingsSchema } from '../../commands/revolts/events.ts';
import { cachedRead } from '../../http/cached-reads.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { objectId, timestamp } from '../schemas/fields.ts';
import { requireVisible, revoltDocShownTo } from './access.ts';

export const roleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    color: z.string(),
    permissions: z.array(permissionSchema),
    position: z.number().int(),
    isManaged: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: 'Role' });

const categorySchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number().int(),
  channels: z.array(z.string()).describe('the ids of the channels in it the reader may view'),
  collapsed: z.boolean(),
});

/** A revolt as every route shows it: its reads, and the answers of the commands that change it. */
export const revoltSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    icon: z.string().optional(),
    banner: z.string().optional(),
    owner: objectId,
    channels: z.array(objectId).describe('the channels the reader may view'),
    roles: z.array(roleSchema),
    categories: z.array(categorySchema),
    settings: revoltSettingsSchema,
    stats: z.object({
      memberCount: z.number().int(),
      messageCount: z.number().int(),
      totalDonations: z.number().int().describe('completed minus refunded donations, in minor units'),
      activeMembers: z.number().int(),
      channelsCount: z.number().int(),
      createdAt: timestamp,
    }),
    inviteCode: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Revolt' });
export type Revolt = z.input<typeof revoltSchema>;

/** Read-model fields no representation shows: the member list (it can hold a revolt's every member; /members pages it). */
export const REVOLT_PROJECTION = { ...HIDDEN, members: 0 } as const;

/** The revolt as `userId` reads it (GET /revolts/:id, and what a command on it answers); 404 if they may not see it. */
export async function revoltShownTo(services: Services, request: FastifyRequest, revoltId: string, userId: string): Promise<Revolt> {
  const state = await requireVisible(services, revoltId, userId);
  const doc = await cachedRead(services, request, 'revolts', `revolt:${revoltId}`, () =>
    services.db.collection('revolts').findOne({ _id: new ObjectId(revoltId) }, { projection: REVOLT_PROJECTION }),
  );
  if (!doc) throw notFound('revolt');
  return revoltDocShownTo(doc, state, userId) as Revolt;
}

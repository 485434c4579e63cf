import { z } from 'zod';
import { permissionSchema } from '../../commands/permissions/catalogue.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

/** A member of a revolt, as the member list pages them. */
export const memberSchema = z
  .object({
    userId: objectId,
    username: z.string().describe('at the time of joining'),
    joinedAt: timestamp,
    roles: z.array(z.string()),
    permissions: z.array(permissionSchema),
    isOwner: z.boolean(),
    isOnline: z.boolean(),
    lastSeen: timestamp,
  })
  .meta({ id: 'Member' });
export type Member = z.input<typeof memberSchema>;

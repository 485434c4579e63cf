import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';

/** Operators run the course and announcements; analysts read reports; auditors read donations' full trails. */
export const STAFF_ROLES = ['operator', 'analyst', 'auditor'] as const;
export const staffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof staffRoleSchema>;

const change = { userId: idSchema, role: staffRoleSchema, reason: z.string().optional(), at: isoDate };

export const staffEventSchemas = {
  StaffRoleGranted: z.object({ ...change, grantedBy: z.string().min(1) }),
  StaffRoleRevoked: z.object({ ...change, revokedBy: z.string().min(1) }),
  /** Recorded before the roster had roles (auditors only); read as the auditor role's grants and revocations. */
  AuditorGranted: z.object({ userId: idSchema, grantedBy: z.string().min(1), reason: z.string().optional(), at: isoDate }),
  AuditorRevoked: z.object({ userId: idSchema, revokedBy: z.string().min(1), reason: z.string().optional(), at: isoDate }),
} as const;

export type StaffEvent = EventsOf<typeof staffEventSchemas>;

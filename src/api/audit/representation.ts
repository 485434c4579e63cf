import { z } from 'zod';

const brokenChainSchema = z.object({
  streamId: z.string(),
  firstBadRevision: z.number().int(),
  reason: z.enum(['hash_mismatch', 'previous_hash_mismatch', 'unsealed', 'revision_gap']),
});

/** One donation's whole stream in order, with its hash chain checked, and the Stripe events that touched it. */
export const donationTrailSchema = z.object({
  donationId: z.string(),
  streamId: z.string(),
  chain: z.object({ intact: z.boolean(), firstBadRevision: z.number().int().optional(), reason: brokenChainSchema.shape.reason.optional() }),
  events: z.array(
    z.object({
      revision: z.number().int(),
      position: z.number().int(),
      id: z.string(),
      type: z.string(),
      occurredAt: z.string(),
      actorId: z.string().nullable(),
      correlationId: z.string(),
      causationId: z.string(),
      schemaVersion: z.number().int(),
      stripe: z.record(z.string(), z.string()).optional().describe('the Stripe ids the event names'),
      data: z.unknown(),
      previousHash: z.string().nullable(),
      hash: z.string().nullable(),
    }),
  ),
  stripeEvents: z.array(z.looseObject({ position: z.number().int() })).describe('the recorded Stripe events, as received'),
});

/** The hash-chain check of every financial stream. */
export const chainReportSchema = z.object({
  ok: z.boolean(),
  scannedEvents: z.number().int(),
  upToPosition: z.number().int(),
  durationMs: z.number(),
  streams: z.number().int(),
  events: z.number().int(),
  broken: z.array(brokenChainSchema),
  heads: z.record(z.string(), z.object({ revision: z.number().int(), hash: z.string() })),
});

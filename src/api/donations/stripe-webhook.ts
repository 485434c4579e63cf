import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { sealHashChain } from '../../commands/donations/chain.ts';
import type { DonationCommand } from '../../commands/donations/decide.ts';
import { donationOfPaymentIntent, executeOnDonation, loadDonation } from '../../commands/donations/execute.ts';
import { AppError, badRequest } from '../../commands/errors.ts';
import type { CommandContext } from '../../commands/handler.ts';
import { idSchema } from '../../events/ids.ts';
import { findUnstorableText } from '../../events/storable-text.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { unstorableTextError } from '../../http/text-guard.ts';
import { stripeEventDecider, stripeEventStream, type WebhookOutcome } from '../../payments/stripe-events.ts';
import { responses } from '../schemas/responses.ts';
import { webhookReceiptSchema } from './representation.ts';

const idOf = z.union([z.string(), z.object({ id: z.string() }).transform((o) => o.id)]);
const metadata = z.record(z.string(), z.string()).nullish();

const paymentIntentSchema = z.object({
  id: z.string(),
  amount: z.number().int().nonnegative(),
  amount_received: z.number().int().nonnegative().optional(),
  currency: z.string(),
  metadata,
  latest_charge: idOf.nullish(),
  last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

const chargeSchema = z.object({
  id: z.string(),
  amount: z.number().int().nonnegative(),
  amount_refunded: z.number().int().nonnegative(),
  currency: z.string(),
  payment_intent: idOf.nullish(),
  metadata,
});

/** What every Stripe event carries; its object is checked by the schema of its type (targetOf). */
const stripeEventSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  // Seconds since the epoch, up to the end of year 9999 (beyond it a date has no ISO form).
  created: z.number().int().positive().max(253_402_300_799),
  livemode: z.boolean().optional(),
  data: z.object({ object: z.unknown() }),
});
type StripeEvent = z.infer<typeof stripeEventSchema>;

/** The webhook events that move a donation; every other type is acknowledged and ignored. */
const HANDLED = new Set(['payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded']);

interface Target {
  /** The donation the object names in its metadata, if any. */
  claimedDonationId: string | null;
  paymentIntentId: string | null;
  objectId: string;
  command: (at: string) => DonationCommand;
}

function parse<T>(schema: z.ZodType<T>, object: unknown, type: string): T {
  const parsed = schema.safeParse(object);
  if (!parsed.success) throw badRequest(`the ${type} event's object is not what Stripe sends`, z.treeifyError(parsed.error));
  return parsed.data;
}

function targetOf(event: StripeEvent): Target {
  const type = event.type;
  const stripeEventId = event.id;
  const donationIdIn = (meta: Record<string, string> | null | undefined) => {
    const id = meta?.donationId;
    return id !== undefined && idSchema.safeParse(id).success ? id : null;
  };
  if (type === 'charge.refunded') {
    const charge = parse(chargeSchema, event.data.object, type);
    return {
      claimedDonationId: donationIdIn(charge.metadata),
      paymentIntentId: charge.payment_intent ?? null,
      objectId: charge.id,
      command: (at) => ({
        type: 'RecordChargeRefund',
        stripeEventId,
        stripeEventType: type,
        paymentIntentId: charge.payment_intent ?? undefined,
        chargeId: charge.id,
        chargeAmount: charge.amount,
        amountRefunded: charge.amount_refunded,
        currency: charge.currency,
        at,
      }),
    };
  }
  const intent = parse(paymentIntentSchema, event.data.object, type);
  const base = { claimedDonationId: donationIdIn(intent.metadata), paymentIntentId: intent.id, objectId: intent.id };
  if (type === 'payment_intent.succeeded') {
    return {
      ...base,
      command: (at) => ({
        type: 'ConfirmPayment',
        stripeEventId,
        stripeEventType: type,
        paymentIntentId: intent.id,
        // What was actually received; a succeeded intent has received its whole amount.
        amount: intent.amount_received || intent.amount,
        currency: intent.currency,
        ...(intent.latest_charge ? { chargeId: intent.latest_charge } : {}),
        at,
      }),
    };
  }
  const error = intent.last_payment_error;
  const code = error?.decline_code ?? error?.code ?? undefined;
  return {
    ...base,
    command: (at) => ({
      type: 'FailPayment',
      stripeEventId,
      paymentIntentId: intent.id,
      ...(code ? { failureCode: code } : {}),
      ...(error?.message ? { failureMessage: error.message.slice(0, 500) } : {}),
      at,
    }),
  };
}

/** The donation an object is about: its metadata's donationId, else the payment intent index. */
async function resolveDonation(services: Services, target: Target): Promise<{ donationId: string | null; referenced: boolean }> {
  const exists = async (id: string | null) => id !== null && (await loadDonation(services.commands, id)).exists;
  if (await exists(target.claimedDonationId)) return { donationId: target.claimedDonationId, referenced: true };
  // The index is consulted only when the metadata names no recorded donation.
  const indexed = target.paymentIntentId ? await donationOfPaymentIntent(services.commands, target.paymentIntentId) : null;
  if (await exists(indexed)) return { donationId: indexed, referenced: true };
  return { donationId: null, referenced: target.claimedDonationId !== null || indexed !== null };
}

/**
 * POST /v1/payments/stripe/webhook. Public (Stripe has no bearer token): the signature over the raw body is the
 * authentication. Registered as its own plugin so that its raw-body JSON parser applies to this route only.
 *
 * Answers: 400 for a missing, wrong or stale signature or a malformed object; 200 for events applied, already
 * applied, ignored (types we don't handle, objects that aren't ours); 404 `donation_not_found` when the object
 * names a donation we have not recorded (yet), so that Stripe retries it later rather than it being dropped.
 */
export const stripeWebhookRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));

  app.post(
    '/payments/stripe/webhook',
    {
      config: { public: true, rateLimit: { limit: 6000, windowSeconds: 60 } },
      schema: { tags: ['payments'], security: [], response: responses({ 200: webhookReceiptSchema }, 404) },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw badRequest('a Stripe webhook is a JSON body');
      const raw = request.body;
      const header = request.headers['stripe-signature'];
      const body = services.stripe.verifyWebhook(raw, typeof header === 'string' ? header : undefined);
      const unstorable = findUnstorableText(body, 'body');
      if (unstorable) throw unstorableTextError(unstorable);
      const parsed = stripeEventSchema.safeParse(body);
      if (!parsed.success) throw badRequest('not a Stripe event', z.treeifyError(parsed.error));
      const event = parsed.data;
      if (!HANDLED.has(event.type)) return { received: true, ignored: true };

      const eventStream = stripeEventStream(event.id);
      const { state: seen } = await services.commands.load(eventStream, stripeEventDecider);
      if (seen.recorded) return { received: true, duplicate: true, outcome: seen.recorded.outcome };

      const target = targetOf(event);
      const { donationId, referenced } = await resolveDonation(services, target);
      if (!donationId && referenced) {
        throw new AppError('donation_not_found', 'this event is about a donation that is not recorded (yet); Stripe will retry');
      }
      // Everything one Stripe event causes is correlated by its id; the actor is Stripe.
      const context: CommandContext = { actorId: 'stripe', correlationId: event.id, causationId: request.id };
      const stripeCreatedAt = new Date(event.created * 1000).toISOString();
      let outcome: WebhookOutcome = 'unmatched';
      let position: number | null = null;
      if (donationId) {
        const result = await executeOnDonation(services.commands, donationId, target.command(stripeCreatedAt), context);
        position = result.position;
        outcome =
          result.events.length === 0 ? 'no_change' : result.events.some((e) => e.type === 'DonationPaymentMismatch') ? 'mismatch' : 'applied';
        if (outcome === 'mismatch') request.log.warn({ donationId, stripeEventId: event.id }, 'Stripe event disagrees with the pledge; donation flagged');
      }
      const recorded = await services.commands
        .execute(
          eventStream,
          stripeEventDecider,
          {
            type: 'Record',
            data: {
              stripeEventId: event.id,
              type: event.type,
              livemode: Boolean(event.livemode),
              stripeCreatedAt,
              objectId: target.objectId,
              ...(donationId && { donationId }),
              payloadSha256: createHash('sha256').update(raw).digest('hex'),
              outcome,
              receivedAt: new Date().toISOString(),
            },
          },
          context,
          { expected: 'no_stream', seal: sealHashChain },
        )
        .catch((error: unknown) => {
          // A concurrent delivery of the same event recorded it first: this one was a no-op on the donation too.
          if (error instanceof AppError && error.status === 409) return null;
          throw error;
        });
      setEventPosition(reply, Math.max(position ?? 0, recorded?.position ?? 0) || null);
      return { received: true, outcome, ...(donationId && { donationId }) };
    },
  );
};

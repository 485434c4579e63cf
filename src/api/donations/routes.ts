import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DonationState } from '../../commands/donations/state.ts';
import type { DonationEventOf } from '../../commands/donations/events.ts';
import { abandonPledge, donationIdFor, executeOnDonation, indexPaymentIntent, loadDonation, pledgeOf } from '../../commands/donations/execute.ts';
import {
  donationAmountSchema,
  donationCurrencySchema,
  donationMessageSchema,
  paymentIntentIdempotencyKey,
  refundable,
  refundIdempotencyKey,
} from '../../commands/donations/rules.ts';
import { AppError, notFound } from '../../commands/errors.ts';
import { revoltDecider, revoltStream } from '../../commands/revolts/decide.ts';
import { isAuditor } from '../../commands/staff/roster.ts';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import { idSchema } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { donationView, recordFromDocument, recordFromPledge } from '../../projections/donations/view.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { donationListRoutes } from './lists.ts';
import { stripeWebhookRoutes } from './stripe-webhook.ts';
import { responses } from '../schemas/responses.ts';
import { pledgedSchema, refundedSchema } from './representation.ts';

const pledgeBody = z
  .object({
    amount: donationAmountSchema,
    currency: donationCurrencySchema,
    message: donationMessageSchema.optional(),
    isAnonymous: z.boolean().default(false),
  })
  .strict();

type PledgedData = DonationEventOf<'DonationPledged'>['data'];

/** The answer to a pledge: the donation as its donor sees it, and the client secret to confirm the payment with. */
function pledgeAnswer(pledge: PledgedData, status: DonationState['status'], userId: string, clientSecret: string) {
  return { donation: { ...donationView(recordFromPledge(pledge), { userId, isAuditor: false }), status }, clientSecret };
}

/** Pledges and refunds (through Stripe), the lists and stats, and Stripe's webhook that settles them. */
export const donationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  /**
   * Pledge: the donation's decider decides first (RequestPledge), then the payment intent is made at Stripe, then
   * the pledge recorded with it (Pledge).
   * Stripe failing → 502 and nothing recorded. Recording failing after Stripe answered → 5xx, the payment intent
   * cancelled and the claims released (abandonPledge), so a retry starts afresh. Should the process die in
   * between instead, the client's retry (same Idempotency-Key) gets the same donation id, hence the same Stripe
   * idempotency key and payment intent.
   * That makes the route idempotent by itself: its answer, which carries the client secret, is never stored.
   */
  app.post(
    '/revolts/:revoltId/donations',
    {
      schema: { params: z.object({ revoltId: idSchema }), body: pledgeBody, tags: ['donations'], response: responses({ 201: pledgedSchema }, 403, 404, 502) },
      config: { rateLimit: { limit: 30, windowSeconds: 60 }, ownIdempotency: true },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { revoltId } = request.params;
      const input = request.body;
      const [{ state: revolt }, { state: donor }] = await Promise.all([
        services.commands.load(revoltStream(revoltId), revoltDecider),
        services.commands.load(userStream(userId), userDecider),
      ]);
      const context = commandContext(request);
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      const donationId = await donationIdFor(services.commands, userId, idempotencyKey, context);
      // Decided before Stripe is asked: may the donor pledge this; or, a retry of a recorded pledge, is it the same.
      const requested = await executeOnDonation(services.commands, donationId, { type: 'RequestPledge', revolt, donorId: userId, ...input, at: new Date().toISOString() }, context);
      if (!donor.exists) throw notFound('user');
      const earlier = requested.state.exists ? await pledgeOf(services.store, donationId) : null;
      if (earlier) {
        // A retry of a pledge already recorded: the same answer, with the client secret asked of Stripe again.
        const intent = await services.stripe.retrievePaymentIntent(earlier.stripePaymentIntentId);
        return reply.status(201).header('idempotent-replayed', 'true').send(pledgeAnswer(earlier, requested.state.status, userId, intent.clientSecret));
      }

      const intent = await services.stripe.createPaymentIntent({
        amount: input.amount,
        currency: input.currency,
        metadata: { donationId, revoltId, donorId: userId },
        description: `Donation to ${revolt.name}`,
        idempotencyKey: paymentIntentIdempotencyKey(donationId),
      });
      let result;
      try {
        if (intent.amount !== input.amount || intent.currency !== input.currency) {
          throw new AppError('payment_provider_error', 'Stripe answered with a payment intent for a different amount or currency', {
            asked: { amount: input.amount, currency: input.currency },
            answered: { amount: intent.amount, currency: intent.currency },
          });
        }
        await indexPaymentIntent(services.commands, intent.id, donationId, context);
        // The icon is a display snapshot; the revolt aggregate does not keep it, its read model does.
        const icon = (await services.db.collection('revolts').findOne({ id: revoltId }, { projection: { icon: 1 } }))?.icon;
        result = await executeOnDonation(
          services.commands,
          donationId,
          {
            type: 'Pledge',
            donationId,
            revolt,
            ...(typeof icon === 'string' && { revoltIcon: icon }),
            donor: { userId, email: donor.email, name: donor.username },
            amount: input.amount,
            currency: input.currency,
            ...(input.message !== undefined && { message: input.message }),
            isAnonymous: input.isAnonymous,
            stripePaymentIntentId: intent.id,
            at: new Date().toISOString(),
          },
          context,
        );
      } catch (error) {
        const unrecorded = { donationId, donorId: userId, idempotencyKey, paymentIntentId: intent.id };
        await abandonPledge(services.commands, services.store, services.stripe, unrecorded, context).catch((undoError: unknown) =>
          request.log.warn({ err: undoError, donationId }, 'a failed pledge could not undo its payment intent and claims'),
        );
        throw error;
      }
      setEventPosition(reply, result.position);
      // The pledge just appended; only a concurrent twin's (nothing appended here) has to be read back.
      const [appended] = result.events;
      const pledge = appended?.type === 'DonationPledged' ? (appended.data as PledgedData) : await pledgeOf(services.store, donationId);
      if (!pledge) throw new Error(`donation ${donationId} has no pledge event`);
      return reply.status(201).send(pledgeAnswer(pledge, result.state.status, userId, intent.clientSecret));
    },
  );

  /**
   * Refund in full what is left: the revolt's owner or a holder of MANAGE_DONATIONS. Recorded as Stripe answers:
   * RefundRequested, then Refunded (succeeded), RefundFailed (failed/canceled) or nothing yet (pending: the
   * charge.refunded webhook settles it).
   */
  app.post(
    '/donations/:donationId/refund',
    {
      schema: { params: z.object({ donationId: idSchema }), tags: ['donations'], response: responses({ 200: refundedSchema }, 403, 404, 502, 503) },
      config: { rateLimit: { limit: 30, windowSeconds: 60 } },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { donationId } = request.params;
      const context = commandContext(request);
      const { revoltId, exists } = await loadDonation(services.commands, donationId);
      if (!exists) throw notFound('donation');
      const { state: revolt } = await services.commands.load(revoltStream(revoltId), revoltDecider);
      // Decided before Stripe is asked: may the actor refund it now (it appends nothing; the refund is recorded below).
      const { state } = await executeOnDonation(services.commands, donationId, { type: 'RequestRefund', revolt, actorId: userId, at: new Date().toISOString() }, context);
      const amount = refundable(state);
      const refund = await services.stripe.createRefund({
        paymentIntentId: state.paymentIntentId,
        amount,
        metadata: { donationId, revoltId: state.revoltId, requestedBy: userId },
        idempotencyKey: refundIdempotencyKey(donationId, state.refundedAmount, state.failedRefunds),
      });
      const result = await executeOnDonation(
        services.commands,
        donationId,
        { type: 'RecordRefund', actorId: userId, requestedAmount: amount, refund, at: new Date().toISOString() },
        context,
      );
      setEventPosition(reply, result.position);
      // The donation as the lists show it to the caller, once they show this refund.
      await awaitOwnWrite(services, reply, ['donations']);
      const [doc, auditor] = await Promise.all([services.db.collection('donations').findOne({ id: donationId }), isAuditor(services.commands, userId)]);
      if (!doc) throw notFound('donation');
      return { donation: donationView(recordFromDocument(doc), { userId, isAuditor: auditor }), refund };
    },
  );

  for (const routes of [donationListRoutes, stripeWebhookRoutes]) await app.register(routes, { services });
};

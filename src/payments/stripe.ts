import Stripe from 'stripe';
import { AppError } from '../commands/errors.ts';
import type { StripeRefundFacts } from '../commands/donations/commands.ts';
import type { Config } from '../config.ts';

/** How old a webhook's signed timestamp may be, in seconds (Stripe's own default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface PaymentIntentRequest {
  amount: number;
  currency: string;
  metadata: { donationId: string; revoltId: string; donorId: string };
  description: string;
  idempotencyKey: string;
}

export interface CreatedPaymentIntent {
  id: string;
  clientSecret: string;
  amount: number;
  currency: string;
}

export interface RefundRequest {
  paymentIntentId: string;
  amount: number;
  metadata: { donationId: string; revoltId: string; requestedBy: string };
  idempotencyKey: string;
}

/** A refund as Stripe answered it (the shape the donation decider records). */
export type CreatedRefund = StripeRefundFacts;

function createdIntent(intent: Stripe.PaymentIntent): CreatedPaymentIntent {
  if (!intent.client_secret) throw providerError('Stripe returned a payment intent without a client secret');
  return { id: intent.id, clientSecret: intent.client_secret, amount: intent.amount, currency: intent.currency };
}

/** The verdict on a webhook delivery that failed verification. */
export class WebhookSignatureError extends AppError {
  constructor(readonly reason: 'missing_signature' | 'invalid_signature' | 'stale_signature', message: string) {
    super(reason, message);
  }
}

/**
 * Stripe through its official library, pointed at STRIPE_API_URL (stripe-mock in dev and tests). Every write
 * carries an idempotency key derived from our own ids, so a retried request (by the library or by our client)
 * never charges or refunds twice. Failures come out as 502 `payment_provider_error` in the API's error shape.
 */
export class StripeGateway {
  readonly client: Stripe;
  private readonly webhookSecrets: string[];

  constructor(options: { secretKey: string; apiUrl: string; webhookSecrets: string; maxNetworkRetries?: number; timeoutMs?: number }) {
    const url = new URL(options.apiUrl);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    this.client = new Stripe(options.secretKey, {
      host: url.hostname,
      port: url.port || (protocol === 'http' ? 80 : 443),
      protocol,
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      timeout: options.timeoutMs ?? 10_000,
      appInfo: { name: 'revolution-network' },
      telemetry: false,
    });
    // Rotation: several comma-separated secrets, any of which may sign a delivery.
    this.webhookSecrets = options.webhookSecrets
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret.length > 0);
  }

  async createPaymentIntent(request: PaymentIntentRequest): Promise<CreatedPaymentIntent> {
    const intent = await this.call('create the payment', () =>
      this.client.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency,
          metadata: request.metadata,
          description: request.description,
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return createdIntent(intent);
  }

  /** A payment intent made earlier, with its client secret (which we never store). */
  async retrievePaymentIntent(id: string): Promise<CreatedPaymentIntent> {
    return createdIntent(await this.call('look up the payment', () => this.client.paymentIntents.retrieve(id)));
  }

  /** Cancels a payment intent that will never be confirmed (its pledge could not be recorded). */
  async cancelPaymentIntent(id: string, idempotencyKey: string): Promise<void> {
    await this.call('cancel the payment', () => this.client.paymentIntents.cancel(id, {}, { idempotencyKey }));
  }

  async createRefund(request: RefundRequest): Promise<CreatedRefund> {
    const refund = await this.call('refund the payment', () =>
      this.client.refunds.create(
        { payment_intent: request.paymentIntentId, amount: request.amount, metadata: request.metadata },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return { id: refund.id, status: refund.status ?? 'pending', amount: refund.amount, currency: refund.currency };
  }

  /**
   * Verifies `Stripe-Signature` against the raw body with each configured secret (tolerance 300 s) and returns
   * the parsed body, still to be checked for the shape of an event. A signature that is right but too old is
   * reported as stale; a signed body that is not JSON is a 400.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined, receivedAtMs: number = Date.now()): unknown {
    if (!signature) throw new WebhookSignatureError('missing_signature', 'the Stripe-Signature header is missing');
    let stale = false;
    for (const secret of this.webhookSecrets) {
      try {
        return this.client.webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS, undefined, receivedAtMs);
      } catch (error) {
        // The library parses the body only once the signature matched: a genuine delivery that is not JSON.
        if (error instanceof SyntaxError) throw new AppError('invalid_request', 'the webhook body is not JSON');
        if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
        if (/tolerance/i.test(error.message)) stale = true;
      }
    }
    if (stale) throw new WebhookSignatureError('stale_signature', 'the webhook signature is outside the 300 s tolerance');
    throw new WebhookSignatureError('invalid_signature', 'the webhook signature does not match');
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        throw providerError(`Stripe could not ${what}: ${error.message}`, { type: error.type, code: error.code, statusCode: error.statusCode });
      }
      throw error;
    }
  }
}

const providerError = (message: string, details?: unknown) => new AppError('payment_provider_error', message, details);

export function createStripeGateway(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL' | 'STRIPE_WEBHOOK_SECRET'>, overrides: { maxNetworkRetries?: number; timeoutMs?: number } = {}): StripeGateway {
  return new StripeGateway({
    secretKey: config.STRIPE_SECRET_KEY,
    apiUrl: config.STRIPE_API_URL,
    webhookSecrets: config.STRIPE_WEBHOOK_SECRET,
    ...overrides,
  });
}

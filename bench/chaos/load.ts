// The chaos run's clients: a steady mixed load (messages, reactions, joins, donations completed by signed Stripe
// webhooks) through the API proxy, as a good client sends it: every command carries an Idempotency-Key and is retried
// with the same key on a 5xx, a 409 request_in_progress and a connection error, until it is answered or gives up.
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';

export const WEBHOOK_SECRET = 'whsec_chaos';
const stripe = new Stripe('sk_test_123');

/** What each command was answered; `resource` names what a 2xx answer says exists now. */
export interface Acknowledged {
  kind: 'register' | 'message' | 'reaction' | 'join' | 'pledge' | 'webhook' | 'voice';
  key: string;
  position: number;
  resource: Record<string, string | number>;
}

export interface Counts {
  requests: number;
  ok: number;
  serverErrors: number;
  retries: number;
  /** Commands that never got an answer within the retry budget (not a loss: nothing was acknowledged). */
  abandoned: number;
}

export const zeroCounts = (): Counts => ({ requests: 0, ok: 0, serverErrors: 0, retries: 0, abandoned: 0 });

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Client {
  counts = zeroCounts();
  readonly acknowledged: Acknowledged[] = [];
  /** Answers that were neither 2xx nor retried: a 4xx the load did not expect (printed, and a failure). */
  readonly refused: string[] = [];

  constructor(
    private readonly apiUrl: () => string,
    private readonly retryBudgetMs = 90_000,
  ) {}

  /** One command, retried with the same Idempotency-Key until it is answered; null if the budget ran out. */
  async command(method: string, path: string, options: { token?: string; body?: unknown; raw?: { payload: string; headers: Record<string, string> } } = {}): Promise<Answer | null> {
    const key = randomUUID();
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.counts.retries++;
      this.counts.requests++;
      const headers: Record<string, string> = { 'idempotency-key': key, ...(options.raw?.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      let answer: Answer | null = null;
      try {
        const res = await fetch(this.apiUrl() + path, {
          method,
          headers,
          body: options.raw?.payload ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        answer = { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
      } catch {
        answer = null; // connection refused/reset, or no answer in time: the command may or may not have run
      }
      if (answer && answer.status >= 200 && answer.status < 300) {
        this.counts.ok++;
        return Object.assign(answer, { key });
      }
      if (answer && answer.status >= 500) this.counts.serverErrors++;
      const retryable = answer === null || answer.status >= 500 || (answer.status === 409 && answer.body?.error?.code === 'request_in_progress') || answer.status === 429;
      if (!retryable) {
        this.refused.push(`${method} ${path} → ${answer!.status} ${JSON.stringify(answer!.body)}`);
        return null;
      }
      if (Date.now() - started > this.retryBudgetMs) {
        this.counts.abandoned++;
        return null;
      }
      const retryAfter = Number(answer?.headers.get('retry-after') ?? 0);
      await sleep(Math.max(retryAfter * 1000, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
    }
  }

  private ack(kind: Acknowledged['kind'], answer: Answer & { key?: string }, resource: Acknowledged['resource']): void {
    this.acknowledged.push({ kind, key: (answer as { key: string }).key, position: Number(answer.headers.get('x-event-position') ?? 0), resource });
  }

  async register(name: string): Promise<User | null> {
    const answer = await this.command('POST', '/v1/auth/register', { body: { username: name, email: `${name}@example.com`, password: 'correct horse battery staple' } });
    if (!answer) return null;
    this.ack('register', answer, { userId: answer.body.user.id });
    return { id: answer.body.user.id, token: answer.body.token };
  }

  async createRevolt(owner: User, name: string): Promise<Revolt | null> {
    const answer = await this.command('POST', '/v1/revolts', { token: owner.token, body: { name } });
    return answer && { id: answer.body.id, channelId: answer.body.channels[0], inviteCode: answer.body.inviteCode };
  }

  async createVoiceChannel(owner: User, revolt: Revolt, name: string): Promise<string | null> {
    const answer = await this.command('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name, type: 'voice' } });
    return answer && (answer.body.id as string);
  }

  async join(user: User, revolt: Revolt): Promise<boolean> {
    const answer = await this.command('POST', `/v1/invites/${revolt.inviteCode}`, { token: user.token });
    if (answer) this.ack('join', answer, { revoltId: revolt.id, userId: user.id });
    return answer !== null;
  }

  async message(user: User, revolt: Revolt): Promise<string | null> {
    const answer = await this.command('POST', `/v1/channels/${revolt.channelId}/messages`, { token: user.token, body: { content: `chaos ${randomBytes(4).toString('hex')}` } });
    if (!answer) return null;
    this.ack('message', answer, { messageId: answer.body.id, channelId: revolt.channelId });
    return answer.body.id as string;
  }

  async react(user: User, revolt: Revolt, messageId: string, emoji: string): Promise<void> {
    const answer = await this.command('PUT', `/v1/channels/${revolt.channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/@me`, { token: user.token });
    if (answer) this.ack('reaction', answer, { messageId, userId: user.id, emoji });
  }

  /** Pledges and completes the donation with a signed payment_intent.succeeded, as Stripe would deliver it. */
  async donate(user: User, revolt: Revolt, amount: number): Promise<void> {
    const pledged = await this.command('POST', `/v1/revolts/${revolt.id}/donations`, { token: user.token, body: { amount, currency: 'usd', isAnonymous: false } });
    if (!pledged) return;
    const donation = pledged.body.donation;
    this.ack('pledge', pledged, { donationId: donation.id, revoltId: revolt.id, amount });
    const event = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: donation.stripePaymentIntentId,
          object: 'payment_intent',
          amount,
          amount_received: amount,
          currency: 'usd',
          status: 'succeeded',
          latest_charge: `ch_${donation.id}`,
          metadata: { donationId: donation.id, revoltId: revolt.id },
          last_payment_error: null,
        },
      },
    };
    const payload = JSON.stringify(event);
    // Stripe signs each delivery afresh, so a retried delivery carries a new signature over the same bytes.
    const headers = { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }), 'content-type': 'application/json' };
    const completed = await this.command('POST', '/v1/payments/stripe/webhook', { raw: { payload, headers } });
    if (completed) this.ack('webhook', completed, { donationId: donation.id, amount });
  }
}

export interface User {
  id: string;
  token: string;
}

export interface Revolt {
  id: string;
  channelId: string;
  inviteCode: string;
}

const EMOJI = ['👍', '🔥', '🎉', '❤️', '😂', '🚀'];

/**
 * The steady mixed load: `workers` loops each issuing one command after another (a message, a reaction on an
 * earlier message, a newcomer's registration and join, a donation) until `stop()` says so or `maxCommands` is reached.
 */
export class SteadyLoad {
  private running = false;
  private loops: Promise<void>[] = [];
  private issued = 0;
  private readonly messages: string[] = [];
  private readonly reacted = new Set<string>();
  private serial = 0;

  constructor(
    private readonly client: Client,
    private readonly revolt: Revolt,
    private readonly members: User[],
    private readonly options: { workers: number; maxCommands: number; paceMs: number; label: string },
  ) {}

  start(): void {
    this.running = true;
    this.issued = 0;
    this.loops = Array.from({ length: this.options.workers }, (_, worker) => this.loop(worker));
  }

  /** Resolves when every loop has issued its share of `maxCommands`. */
  async done(): Promise<void> {
    await Promise.all(this.loops);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(worker: number): Promise<void> {
    while (this.running && this.issued < this.options.maxCommands) {
      this.issued++;
      const n = this.serial++;
      const member = this.members[n % this.members.length]!;
      const pick = n % 10;
      if (pick < 5 || this.messages.length === 0) {
        const id = await this.client.message(member, this.revolt);
        if (id) this.messages.push(id);
      } else if (pick < 8) {
        const messageId = this.messages[Math.floor(Math.random() * this.messages.length)]!;
        const emoji = EMOJI.find((each) => !this.reacted.has(`${messageId}:${member.id}:${each}`));
        if (emoji) {
          this.reacted.add(`${messageId}:${member.id}:${emoji}`);
          await this.client.react(member, this.revolt, messageId, emoji);
        }
      } else if (pick < 9) {
        const newcomer = await this.client.register(`${this.options.label}${worker}n${n}`.replace(/[^a-z0-9]/gi, '').slice(0, 30));
        if (newcomer && (await this.client.join(newcomer, this.revolt))) this.members.push(newcomer);
      } else {
        await this.client.donate(member, this.revolt, 100 + (n % 50) * 10);
      }
      await sleep(this.options.paceMs);
    }
  }
}

import { randomBytes } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { Logger } from 'pino';
import { AppError, ruleBroken } from '../commands/errors.ts';
import { RequestIds } from '../commands/request-ids.ts';

/**
 * Operational state beside the read models, not a projection of events: no rebuild or read-model list includes
 * it, and a refused request leaves nothing in the event store.
 */
export const IDEMPOTENCY_COLLECTION = 'idempotencyKeys';
/**
 * One document per takeover of a timed-out claim, keyed by the claim it replaces. FerretDB does not make a
 * conditional updateOne atomic between connections (two retries can both see modifiedCount 1), but a unique _id
 * insert is: the one retry whose insert succeeds takes the claim over.
 */
export const IDEMPOTENCY_TAKEOVERS_COLLECTION = 'idempotencyTakeovers';

/** How long a key is remembered: a retry with the same key a day later is a new request. */
export const KEPT_FOR_MS = 24 * 3600_000;
const PURGE_EVERY_MS = 60_000;

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

interface IdempotencyRecord {
  /** sha256 of the actor and the key. */
  _id: string;
  /** sha256 of the request (method, URL, body without its secret fields). */
  fingerprint: string;
  /** Random, fixed by the first claim; with startedAt it derives every id the request uses (RequestIds). */
  seed: string;
  startedAt: Date;
  /** When the current attempt claimed the key; a takeover is conditioned on it, so only one retry wins. */
  claimedAt: Date;
  /** The 2xx answer, replayed to every retry. */
  response?: StoredResponse;
}

/** A claim this request holds: what the record's later updates are conditioned on, and the request's ids. */
export interface HeldClaim {
  recordId: string;
  claimedAt: Date;
  ids: RequestIds;
}

export type ClaimOutcome = { kind: 'run'; claim: HeldClaim } | { kind: 'replay'; response: StoredResponse };

const inProgress = (waitMs: number) => {
  const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return new AppError('request_in_progress', 'a request with this Idempotency-Key is still in progress', { retryAfterSeconds: Number(seconds) }, { 'retry-after': seconds });
};

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === 11000;

export class IdempotencyRecords {
  private readonly records: Collection<IdempotencyRecord>;
  private readonly takeovers: Collection<{ _id: string; startedAt: Date }>;
  private lastPurge = 0;

  constructor(
    db: Db,
    private readonly claimTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.records = db.collection<IdempotencyRecord>(IDEMPOTENCY_COLLECTION);
    this.takeovers = db.collection(IDEMPOTENCY_TAKEOVERS_COLLECTION);
  }

  /**
   * Claims `recordId` for a request with this fingerprint: a first request inserts the record; a retry gets the
   * recorded answer, or 409 while another attempt holds a fresh claim, or takes over a claim that timed out.
   */
  async claim(recordId: string, fingerprint: string): Promise<ClaimOutcome> {
    const now = new Date();
    this.purgeExpired(now);
    for (let attempt = 0; attempt < 3; attempt++) {
      const fresh: IdempotencyRecord = { _id: recordId, fingerprint, seed: randomBytes(16).toString('hex'), startedAt: now, claimedAt: now };
      try {
        await this.records.insertOne(fresh);
        return { kind: 'run', claim: held(fresh, false) };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await this.records.findOne({ _id: recordId });
      if (!existing) continue;
      if (existing.fingerprint !== fingerprint) {
        throw ruleBroken('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      if (existing.response) return { kind: 'replay', response: existing.response };
      const waitMs = existing.claimedAt.getTime() + this.claimTimeoutMs - now.getTime();
      if (waitMs > 0) throw inProgress(waitMs);
      if (!(await this.winTakeover(recordId, existing.claimedAt, now))) continue;
      const takeover = await this.records.updateOne(
        { _id: recordId, claimedAt: existing.claimedAt, response: { $exists: false } },
        { $set: { claimedAt: now } },
      );
      if (takeover.modifiedCount === 1) return { kind: 'run', claim: held({ ...existing, claimedAt: now }, true) };
    }
    throw inProgress(this.claimTimeoutMs);
  }

  private async winTakeover(recordId: string, claimedAt: Date, now: Date): Promise<boolean> {
    try {
      await this.takeovers.insertOne({ _id: `${recordId}@${claimedAt.getTime()}`, startedAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** A 2xx answer: replayed to every retry from now on. */
  async record(claim: HeldClaim, response: StoredResponse): Promise<void> {
    await this.records.updateOne({ _id: claim.recordId, claimedAt: claim.claimedAt }, { $set: { response } });
  }

  /**
   * A refused request (4xx) applied nothing, so the key is free again: unless an earlier attempt with it ran,
   * whose appends a later retry must still recognise.
   */
  async refused(claim: HeldClaim): Promise<void> {
    if (claim.ids.resumed) return this.release(claim);
    await this.records.deleteOne({ _id: claim.recordId, claimedAt: claim.claimedAt });
  }

  /**
   * The request ended without an answer to record (5xx, or an answer carrying a secret): the next retry runs again
   * at once, with the same ids, so whatever this attempt did append is recognised rather than applied twice.
   */
  async release(claim: HeldClaim): Promise<void> {
    // A claimedAt already timed out, and distinct per release, so each later takeover has its own marker.
    const expired = new Date(Date.now() - this.claimTimeoutMs - 1);
    await this.records.updateOne({ _id: claim.recordId, claimedAt: claim.claimedAt }, { $set: { claimedAt: expired } });
  }

  /** At most once a minute per process: records older than KEPT_FOR_MS go, so they never pile up. */
  private purgeExpired(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    const expired = { startedAt: { $lt: new Date(now.getTime() - KEPT_FOR_MS) } };
    Promise.all([this.records.deleteMany(expired), this.takeovers.deleteMany(expired)])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'expired Idempotency-Key records not purged'));
  }
}

function held(record: IdempotencyRecord, resumed: boolean): HeldClaim {
  return { recordId: record._id, claimedAt: record.claimedAt, ids: new RequestIds(record.seed, record.startedAt, resumed) };
}

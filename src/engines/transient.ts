import { setTimeout as sleep } from 'node:timers/promises';
import { MongoError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerSelectionError } from 'mongodb';

/**
 * Whether `error` says an engine (MongoDB/FerretDB, PostgreSQL, Redis, the SMTP server) is down, restarting, failing
 * over or timing out, so that the same work is expected to succeed once it is back. Anything else (a bug, a poison
 * event, a validation failure, a duplicate key) would fail again on a retry. The error's `cause` chain and an
 * AggregateError's members count too: drivers wrap the socket error that tells.
 */
export function isTransientError(error: unknown): boolean {
  return causes(error).some(isTransientItself);
}

function causes(error: unknown, seen = new Set<unknown>()): unknown[] {
  if (error === null || error === undefined || seen.has(error)) return [];
  seen.add(error);
  const found: unknown[] = [error];
  if (typeof error === 'object') {
    const { cause, errors } = error as { cause?: unknown; errors?: unknown };
    found.push(...causes(cause, seen));
    if (Array.isArray(errors)) for (const member of errors) found.push(...causes(member, seen));
  }
  return found;
}

/** Socket-level failures, as Node reports them (`code` of a system error). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'EAI_AGAIN',
  // nodemailer's (src/mail/smtp.ts): the SMTP server's socket failed, or it closed the connection unexpectedly.
  'ESOCKET',
  'ECONNECTION',
]);

/** MongoDB server codes of a node shutting down, stepping down, unreachable or timing out (the driver's retryable set). */
const MONGO_TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 134]);
const MONGO_TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'PoolRequstedRetry'];

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), the server shutting down or starting (57P01-57P03), a
 * statement timeout or cancel (57014), serialization failures and deadlocks (40001, 40P01), too many connections
 * (53300).
 */
const PG_TRANSIENT_STATES = /^(08...|57P0[123]|57014|40001|40P01|53300)$/;

/**
 * Messages of errors thrown without a code: node-postgres when its connection drops, ioredis while it reconnects,
 * Redis replies while it loads or fails over, and FerretDB passing on its PostgreSQL backend being unreachable.
 */
const TRANSIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Reached the max retries per request limit/,
  /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS) /,
  /connection refused|failed to connect to|the database system is (starting up|shutting down|in recovery mode)/i,
  // FerretDB when its PostgreSQL backend restarts under a query: pgx's dropped connection, after FerretDB's Go trace.
  /\] (unexpected EOF|conn closed)$/,
];

function isTransientItself(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (
    error instanceof MongoNetworkError || // timeouts and a cleared pool included
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoOperationTimeoutError
  ) {
    return true;
  }
  if (error instanceof MongoError) {
    if (MONGO_TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label))) return true;
    if (typeof error.code === 'number' && MONGO_TRANSIENT_CODES.has(error.code)) return true;
  }
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_TRANSIENT_STATES.test(code))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  // An SMTP reply in the 4xx range asks to try again later (greylisting, too many connections, a full queue).
  const { responseCode } = error as { responseCode?: unknown };
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 5_000 };

/** The wait before retry number `attempt` (1-based): doubling from `initialMs`, capped at `maxMs`. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}

export interface RetryOptions {
  backoff?: Backoff;
  /** Ends the retries: the last error is thrown once the current wait is cut short. */
  signal?: AbortSignal;
  /** Called before each wait, with the error, the number of attempts that failed so far and the wait. */
  onRetry?(error: unknown, attempts: number, delayMs: number): void;
}

/** Runs `work` until it succeeds or fails with an error that is not transient (which it throws). */
export async function retryWhileTransient<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientError(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempts, options.backoff);
      options.onRetry?.(error, attempts, delayMs);
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => {});
      if (options.signal?.aborted) throw error;
    }
  }
}

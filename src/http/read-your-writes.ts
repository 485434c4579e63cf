import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { badRequest, unavailable } from '../commands/errors.ts';
import type { Services } from './services.ts';

/**
 * How long a user's last command position is remembered: far beyond any lag the lanes should show. A read model
 * lagging more than this shows that user their own writes late, as it shows everyone else's (X-Min-Position
 * still waits).
 */
const OWN_WRITES_TTL_MS = 60_000;

/** Keeps the larger of the stored and the given position (commands of one user may end on several nodes at once). */
const RECORD = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end`;

/**
 * Each user's last command position, in Redis so that every API node sees it: a user's reads wait for it
 * whichever node answers them.
 */
export class OwnWrites {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(userId: string): string {
    return `${this.prefix}:own-writes:${userId}`;
  }

  async record(userId: string, position: number): Promise<void> {
    // Defined once per connection: sent by its digest (EVALSHA) rather than as a whole script on every command.
    if (!('rnOwnWritesRecord' in this.redis)) this.redis.defineCommand('rnOwnWritesRecord', { numberOfKeys: 1, lua: RECORD });
    const record = (this.redis as Redis & { rnOwnWritesRecord(key: string, position: number, ttlMs: number): Promise<unknown> }).rnOwnWritesRecord;
    await record.call(this.redis, this.key(userId), position, OWN_WRITES_TTL_MS);
  }

  /** The position of the user's last command within OWN_WRITES_TTL_MS, or null. */
  async lastOf(userId: string): Promise<number | null> {
    const stored = await this.redis.get(this.key(userId));
    return stored === null ? null : Number(stored);
  }
}

const ownWritesOf = (services: Services) => new OwnWrites(services.redis, services.config.REDIS_PREFIX);

/** Each query's lookup of its caller's last command position, started as soon as the caller is known. */
const ownPositions = new WeakMap<FastifyRequest, Promise<number | null>>();

/**
 * Refuses a malformed X-Min-Position, and starts each authenticated query's lookup of its caller's last command
 * position as soon as the caller is known: installed right after authentication, it runs beside the rate limit's
 * count instead of after it. Read when the query asks for its required position; a position recorded before the
 * request arrived is in Redis already (it is recorded before its command answers).
 */
export function installOwnWritesLookup(app: FastifyInstance, services: Services): void {
  const ownWrites = ownWritesOf(services);
  app.addHook('onRequest', (request, _reply, done) => {
    // A malformed X-Min-Position is refused before the route runs: a command must not append and then answer 400.
    try {
      minPositionHeader(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (request.auth && request.method === 'GET') {
      const lookup = ownWrites.lastOf(request.auth.userId);
      lookup.catch(() => undefined); // a query that fails before it reads leaves its lookup unread
      ownPositions.set(request, lookup);
    }
    done();
  });
}

/** Commands whose answer is on its way: the user whose reads must wait for its position. */
const answered = new WeakMap<FastifyRequest, { userId: string; position: number }>();

/**
 * Records each command's position for the user who made it before the answer leaves, so that the user's next
 * query, on any node, waits for it (see awaitReadModels). A failure to record costs only that wait: the command
 * stands, and its answer still carries the position.
 */
export function installReadYourWrites(app: FastifyInstance, services: Services): void {
  const ownWrites = ownWritesOf(services);
  app.addHook('onSend', async (request, _reply, payload) => {
    const made = answered.get(request);
    if (made) {
      await ownWrites.record(made.userId, made.position).catch((error: unknown) =>
        request.log.warn({ err: error, userId: made.userId }, 'could not record a command position for read-your-writes'),
      );
    }
    return payload;
  });
}

function minPositionHeader(request: FastifyRequest): number | null {
  const header = request.headers['x-min-position'];
  if (header === undefined) return null;
  const position = Number(header);
  if (typeof header !== 'string' || !Number.isSafeInteger(position) || position < 0) {
    throw badRequest('X-Min-Position must be a non-negative integer');
  }
  return position;
}

/**
 * Commands answer with `X-Event-Position`. A query waits until the read models it reads have applied the later of
 * `X-Min-Position` (for another user's writes) and the caller's own last command position (remembered for them),
 * and answers 503 with `Retry-After` after a bounded wait. A caller with neither does not wait.
 */
export async function awaitReadModels(services: Services, request: FastifyRequest, readModels: string[]): Promise<void> {
  const position = await requiredPosition(services, request);
  if (position === null) return;
  const timeout = services.config.READ_YOUR_WRITES_TIMEOUT_MS;
  const reached = await Promise.all(readModels.map((name) => services.progress.waitForPosition(name, position, timeout)));
  if (reached.includes(false)) throw notReached(position);
}

/** The position a query must see: the later of `X-Min-Position` and the caller's own last command; null for neither. */
export async function requiredPosition(services: Services, request: FastifyRequest): Promise<number | null> {
  const asked = minPositionHeader(request);
  const own = request.auth ? await (ownPositions.get(request) ?? ownWritesOf(services).lastOf(request.auth.userId)) : null;
  if (asked === null && own === null) return null;
  return Math.max(asked ?? 0, own ?? 0);
}

/** The 503 of a query whose read model has not reached `position` within READ_YOUR_WRITES_TIMEOUT_MS. */
export const notReached = (position: number) => unavailable(`the read model has not yet reached position ${position}`, 1);

/**
 * Answers a command's position in `X-Event-Position`, and remembers it for `userId` (by default the caller; a
 * registration or login names the user it is for), whose reads then wait for it.
 */
export function setEventPosition(reply: FastifyReply, position: number | null, userId = reply.request.auth?.userId): void {
  if (position === null) return;
  reply.header('x-event-position', String(position));
  if (userId) answered.set(reply.request, { userId, position });
}

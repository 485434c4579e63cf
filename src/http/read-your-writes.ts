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
    await this.redis.eval(RECORD, 1, this.key(userId), position, OWN_WRITES_TTL_MS);
  }

  /** The position of the user's last command within OWN_WRITES_TTL_MS, or null. */
  async lastOf(userId: string): Promise<number | null> {
    const stored = await this.redis.get(this.key(userId));
    return stored === null ? null : Number(stored);
  }
}

const ownWritesOf = (services: Services) => new OwnWrites(services.redis, services.config.REDIS_PREFIX);

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
  const asked = minPositionHeader(request);
  const own = request.auth ? await ownWritesOf(services).lastOf(request.auth.userId) : null;
  if (asked === null && own === null) return;
  const position = Math.max(asked ?? 0, own ?? 0);
  const timeout = services.config.READ_YOUR_WRITES_TIMEOUT_MS;
  const reached = await Promise.all(readModels.map((name) => services.progress.waitForPosition(name, position, timeout)));
  if (reached.includes(false)) throw unavailable(`the read model has not yet reached position ${position}`, 1);
}

/**
 * Answers a command's position in `X-Event-Position`, and remembers it for `userId` (by default the caller; a
 * registration or login names the user it is for), whose reads then wait for it.
 */
export function setEventPosition(reply: FastifyReply, position: number | null, userId = reply.request.auth?.userId): void {
  if (position === null) return;
  reply.header('x-event-position', String(position));
  if (userId) answered.set(reply.request, { userId, position });
}

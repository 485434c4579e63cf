import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { tooManyRequests } from '../commands/errors.ts';

export interface RateLimitRule {
  /** Requests sharing a bucket share a counter; defaults to the route. */
  bucket?: string;
  limit: number;
  windowSeconds: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RateLimitRule | false;
  }
}

export const DEFAULT_RATE_LIMIT: RateLimitRule = { limit: 600, windowSeconds: 60 };

// Fixed window, atomic in Redis: the first hit of a window sets its expiry. Returns [count, ttl in ms].
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

/**
 * Per-user (or, before login, per-IP) limits per route, shared by every API node through Redis. Answers carry
 * `X-RateLimit-Limit/Remaining/Reset`; over the limit the request fails with 429 and `Retry-After`.
 */
export function installRateLimits(app: FastifyInstance, redis: Redis, prefix: string, scale: number): void {
  redis.defineCommand('rnRateLimitHit', { numberOfKeys: 1, lua: HIT });
  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    const rule = request.routeOptions.config.rateLimit ?? DEFAULT_RATE_LIMIT;
    if (rule === false) return;
    const limit = Math.max(1, Math.floor(rule.limit * scale));
    const who = request.auth ? `u:${request.auth.userId}` : `ip:${request.ip}`;
    const bucket = rule.bucket ?? `${request.method}:${request.routeOptions.url ?? 'unknown'}`;
    const key = `${prefix}:rl:${bucket}:${who}`;
    const [count, ttlMs] = (await (redis as Redis & { rnRateLimitHit(key: string, windowMs: number): Promise<[number, number]> })
      .rnRateLimitHit(key, rule.windowSeconds * 1000));
    const resetSeconds = Math.max(1, Math.ceil(Math.max(ttlMs, 0) / 1000));
    reply.header('x-ratelimit-limit', limit);
    reply.header('x-ratelimit-remaining', Math.max(0, limit - count));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (count > limit) {
      throw tooManyRequests(`rate limit of ${limit} requests per ${rule.windowSeconds}s exceeded`, resetSeconds, {
        bucket,
        retryAfterSeconds: resetSeconds,
      });
    }
  });
}

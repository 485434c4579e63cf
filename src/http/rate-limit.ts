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

/** Failed authentications per address: past it, requests are refused before their token costs a session read. */
export const AUTH_FAILURE_LIMIT = { bucket: 'auth-failures', limit: 60, windowSeconds: 60 } as const;

// Fixed window, atomic in Redis: the first hit of a window sets its expiry. Returns [count, ttl in ms].
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

export interface WindowCount {
  limit: number;
  count: number;
  resetSeconds: number;
}

/** Fixed-window counters in Redis, shared by every API node; limits are multiplied by RATE_LIMIT_SCALE. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly scale: number,
  ) {
    redis.defineCommand('rnRateLimitHit', { numberOfKeys: 1, lua: HIT });
  }

  private key(bucket: string, who: string): string {
    return `${this.prefix}:rl:${bucket}:${who}`;
  }

  private window(rule: RateLimitRule, count: number, ttlMs: number): WindowCount {
    return { limit: Math.max(1, Math.floor(rule.limit * this.scale)), count, resetSeconds: Math.max(1, Math.ceil(Math.max(ttlMs, 0) / 1000)) };
  }

  /** Counts one request of `who` in `bucket`. */
  async hit(rule: RateLimitRule, bucket: string, who: string): Promise<WindowCount> {
    const hit = (this.redis as Redis & { rnRateLimitHit(key: string, windowMs: number): Promise<[number, number]> }).rnRateLimitHit;
    const [count, ttlMs] = await hit.call(this.redis, this.key(bucket, who), rule.windowSeconds * 1000);
    return this.window(rule, count, ttlMs);
  }

  /**
   * How many `who` has used in `bucket` (nothing counted). On every authenticated request, so one GET; the window's
   * remaining time is asked only once the limit is reached, when the answer needs it.
   */
  async peek(rule: RateLimitRule, bucket: string, who: string): Promise<WindowCount> {
    const key = this.key(bucket, who);
    const count = Number((await this.redis.get(key)) ?? 0);
    const window = this.window(rule, count, 0);
    return count < window.limit ? window : this.window(rule, count, await this.redis.pttl(key));
  }
}

/** The 429 for a window past its limit, with Retry-After and the X-RateLimit-* headers. */
export function rateLimited(window: WindowCount, rule: RateLimitRule, bucket: string, message = `rate limit of ${window.limit} requests per ${rule.windowSeconds}s exceeded`) {
  const error = tooManyRequests(message, window.resetSeconds, {
    bucket,
    retryAfterSeconds: window.resetSeconds,
  });
  Object.assign(error.headers, rateLimitHeaders({ ...window, count: Math.max(window.count, window.limit) }));
  return error;
}

function rateLimitHeaders({ limit, count, resetSeconds }: WindowCount): Record<string, string> {
  return { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(Math.max(0, limit - count)), 'x-ratelimit-reset': String(resetSeconds) };
}

/**
 * Per-user (or, before login, per-IP) limits per route. Counted when the request arrives (after authentication,
 * before the body is parsed), so requests that turn out malformed or invalid use up the budget like any other.
 * Answers carry `X-RateLimit-Limit/Remaining/Reset`; over the limit the request fails with 429 and `Retry-After`.
 */
export function installRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const rule = request.routeOptions.config.rateLimit ?? DEFAULT_RATE_LIMIT;
    if (rule === false) return;
    const who = request.auth ? `u:${request.auth.userId}` : `ip:${request.ip}`;
    const bucket = rule.bucket ?? `${request.method}:${request.routeOptions.url ?? 'unknown'}`;
    const window = await limiter.hit(rule, bucket, who);
    reply.headers(rateLimitHeaders(window));
    if (window.count > window.limit) throw rateLimited(window, rule, bucket);
  });
}

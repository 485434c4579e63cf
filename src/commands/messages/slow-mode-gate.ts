import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { releaseIfOwner } from '../../redis/release-if-owner.ts';
import { tooManyRequests } from '../errors.ts';

/**
 * Slow mode is a rate limit, so it lives in Redis, shared by every API node: one slot per member and channel,
 * claimed atomically (SET NX PX) before the message is appended. Taken: 429 with `Retry-After` saying when they
 * may post again. Claimed: returns the release to call if the send then fails, so a refused message costs no wait.
 */
export async function claimSlowMode(
  redis: Redis,
  prefix: string,
  slot: { channelId: string; userId: string; seconds: number },
): Promise<() => Promise<void>> {
  const key = `${prefix}:slowmode:${slot.channelId}:${slot.userId}`;
  const token = randomUUID();
  const claimed = await redis.set(key, token, 'PX', slot.seconds * 1000, 'NX');
  if (claimed === null) {
    const retryAfterSeconds = Math.max(1, Math.ceil((await redis.pttl(key)) / 1000));
    throw tooManyRequests(`slow mode: you may post in this channel again in ${retryAfterSeconds}s`, retryAfterSeconds, {
      retryAfterSeconds,
      slowMode: slot.seconds,
    });
  }
  return async () => {
    // Only the slot this request claimed: it may have expired and been claimed again.
    await releaseIfOwner(redis, key, token);
  };
}

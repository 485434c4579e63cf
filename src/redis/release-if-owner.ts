import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Deletes `key` only if it still holds `owner`: a lock, lease or claim may have expired and been taken by someone
 * else, whose hold must survive our release. True when it was ours and is gone.
 */
export async function releaseIfOwner(redis: Redis, key: string, owner: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, owner)) === 1;
}

import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RELEASE_OR_MISSING = `local v = redis.call('GET', KEYS[1]) if v == false or v == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;

/**
 * Deletes `key` only if it still holds `owner`: a lock, lease or claim may have expired and been taken by someone
 * else, whose hold must survive our release. True when it was ours and is gone; with `orMissing`, also true when
 * the key was already gone.
 */
export async function releaseIfOwner(redis: Redis, key: string, owner: string, options?: { orMissing?: boolean }): Promise<boolean> {
  return (await redis.eval(options?.orMissing ? RELEASE_OR_MISSING : RELEASE, 1, key, owner)) === 1;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** Argon2id with OWASP's minimum (19 MiB, 2 passes): memory-hard, so GPU guessing stays expensive. */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2);
export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password);

/** A token is `<sessionId>.<secret>`; only the secret's SHA-256 is stored, in the session's stream. */
export function issueToken(): { sessionId: string; token: string; tokenHash: string } {
  const sessionId = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { sessionId, token: `${sessionId}.${secret}`, tokenHash: sha256(secret) };
}

export function parseToken(token: string): { sessionId: string; secret: string } | null {
  const match = /^([0-9a-f]{24})\.([\w-]{43})$/.exec(token);
  return match ? { sessionId: match[1] as string, secret: match[2] as string } : null;
}

export function secretMatches(secret: string, tokenHash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

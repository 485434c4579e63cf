import { createHash, createHmac } from 'node:crypto';

/**
 * The token of an email verification link: `<userId>.<secret>`. The secret is derived from the request's token id
 * with the server's EMAIL_TOKEN_SECRET, so that the mail, sent by a reactor after the request is recorded, can
 * carry it while the event store holds only the token id and the secret's SHA-256 (a stolen copy of the store, or
 * of what travels through Redis, verifies nobody).
 */
export interface VerificationToken {
  token: string;
  tokenHash: string;
}

export function verificationToken(key: string, userId: string, tokenId: string): VerificationToken {
  const secret = createHmac('sha256', key).update(`email-verification\n${userId}\n${tokenId}`).digest('base64url');
  return { token: `${userId}.${secret}`, tokenHash: hashOfSecret(secret) };
}

/** The user a token names and its secret's hash, or null when it is not shaped as a token. */
export function parseVerificationToken(token: string): { userId: string; tokenHash: string } | null {
  const match = /^([0-9a-f]{24})\.([\w-]{43})$/.exec(token);
  return match ? { userId: match[1] as string, tokenHash: hashOfSecret(match[2] as string) } : null;
}

const hashOfSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

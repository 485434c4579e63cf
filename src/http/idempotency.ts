import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../commands/errors.ts';
import { IdempotencyRecords, type HeldClaim, type StoredResponse } from './idempotency-records.ts';
import type { Services } from './services.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: HeldClaim | null;
  }
  interface FastifyContextConfig {
    /**
     * The answer carries a secret (a bearer token), so it is never stored: a retry with the same Idempotency-Key
     * runs the route again, with the same ids. `secretFields` of the body stay out of the key's fingerprint too.
     */
    secretAnswer?: { secretFields: readonly string[] };
    /**
     * The route makes a retried Idempotency-Key safe by itself, so the key is not claimed and its answer not
     * stored: for answers that carry a secret (a payment's client secret) that must not be kept anywhere.
     */
    ownIdempotency?: boolean;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['content-type', 'x-event-position', 'location'];
const KEY = /^[\w.:-]{1,255}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function fingerprintOf(request: FastifyRequest, secretFields: readonly string[] = []): string {
  let body = request.body ?? null;
  if (secretFields.length > 0 && body !== null && typeof body === 'object') {
    body = Object.fromEntries(Object.entries(body).filter(([field]) => !secretFields.includes(field)));
  }
  return sha256(`${request.method} ${request.url}\n${JSON.stringify(body)}`);
}

/**
 * `Idempotency-Key` on a command: a 2xx answer is recorded and a retry with the same key and request gets it back
 * with `Idempotent-Replayed: true`, running nothing. Only a matched route takes part, once authentication, rate
 * limits and validation have let the request through; a refused request (4xx) frees the key again, and a failed
 * one (5xx) lets the next retry run again at once. Every id the request uses derives from its key's record, so a
 * retry of an attempt that crashed after appending finds its appends instead of applying the command twice.
 * Records live in MongoDB (idempotency-records.ts), never in the event store.
 */
export function installIdempotency(app: FastifyInstance, services: Services): void {
  const records = new IdempotencyRecords(services.db, services.config.IDEMPOTENCY_CLAIM_TIMEOUT_MS, services.logger);
  app.decorateRequest('idempotencyClaim', null);
  app.decorateRequest('commandIds', null);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (!MUTATING.has(request.method) || key === undefined || request.routeOptions.url === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) throw badRequest('Idempotency-Key must be 1-255 characters of [A-Za-z0-9_.:-]');
    const { ownIdempotency, secretAnswer } = request.routeOptions.config;
    if (ownIdempotency) return;
    const actor = request.auth?.userId ?? `ip:${request.ip}`;
    const outcome = await records.claim(sha256(`${actor}\n${key}`), fingerprintOf(request, secretAnswer?.secretFields));
    if (outcome.kind === 'replay') return replay(reply, outcome.response);
    request.idempotencyClaim = outcome.claim;
    request.commandIds = outcome.claim.ids;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    const status = reply.statusCode;
    const recordable = !request.routeOptions.config.secretAnswer && (payload === null || payload === undefined || typeof payload === 'string');
    try {
      if (status >= 400 && status < 500) await records.refused(claim);
      else if (status >= 200 && status < 300 && recordable) await records.record(claim, responseOf(reply, payload as string | null | undefined));
      else await records.release(claim);
    } catch (error) {
      // The answer still goes out; the claim times out and a retry runs again with the same ids.
      request.log.warn({ err: error }, 'Idempotency-Key record not updated');
    }
    return payload;
  });
}

function responseOf(reply: FastifyReply, payload: string | null | undefined): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status: reply.statusCode, body: payload ?? '', headers };
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply
    .status(response.status)
    .headers({ ...response.headers, 'idempotent-replayed': 'true' })
    .send(response.body === '' ? undefined : response.body);
}

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../commands/errors.ts';
import { idempotencyDecider, type StoredResponse } from '../commands/idempotency.ts';
import { commandContext } from './context.ts';
import type { Services } from './services.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyStream: string | null;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['content-type', 'x-event-position', 'location'];
const KEY = /^[\w.:-]{1,255}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * `Idempotency-Key` on any command: the first answer (any status below 500) is stored and a retry with the
 * same key and request gets it back with `Idempotent-Replayed: true`, appending nothing. A 5xx releases the key.
 */
export function installIdempotency(app: FastifyInstance, services: Services): void {
  app.decorateRequest('idempotencyStream', null);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (!MUTATING.has(request.method) || key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) throw badRequest('Idempotency-Key must be 1-255 characters of [A-Za-z0-9_.:-]');
    if (request.routeOptions.config.ownIdempotency) return;
    const actor = request.auth?.userId ?? `ip:${request.ip}`;
    const stream = `idempotency-${sha256(`${actor}\n${key}`)}`;
    const fingerprint = sha256(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);
    const claim = { type: 'Claim' as const, fingerprint, at: new Date().toISOString() };
    const { state } = await services.commands.execute(stream, idempotencyDecider, claim, commandContext(request));
    if (state.response) return replay(reply, state.response);
    request.idempotencyStream = stream;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const stream = request.idempotencyStream;
    if (!stream) return payload;
    request.idempotencyStream = null;
    const context = commandContext(request);
    if (reply.statusCode >= 500 || (payload !== null && typeof payload !== 'string')) {
      await services.commands.execute(stream, idempotencyDecider, { type: 'Release' }, context);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const response: StoredResponse = { status: reply.statusCode, body: payload ?? '', headers };
    await services.commands.execute(stream, idempotencyDecider, { type: 'Record', response }, context);
    return payload;
  });
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply
    .status(response.status)
    .headers({ ...response.headers, 'idempotent-replayed': 'true' })
    .send(response.body === '' ? undefined : response.body);
}

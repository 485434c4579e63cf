import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../commands/handler.ts';
import type { RequestIds } from '../commands/request-ids.ts';
import { unauthorized } from '../commands/errors.ts';

export interface Authenticated {
  userId: string;
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authenticated | null;
    /** The ids of a request sent with an Idempotency-Key (set by src/http/idempotency.ts), else null. */
    commandIds: RequestIds | null;
  }
}

export function requireAuth(request: FastifyRequest): Authenticated {
  if (!request.auth) throw unauthorized();
  return request.auth;
}

/** Correlation id: the client's `X-Correlation-Id` if it sent one, else this request's id; causation: this request. */
export function commandContext(request: FastifyRequest): CommandContext {
  const header = request.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : request.id;
  return {
    actorId: request.auth?.userId ?? null,
    correlationId,
    causationId: request.id,
    ...(request.commandIds && { ids: request.commandIds }),
  };
}

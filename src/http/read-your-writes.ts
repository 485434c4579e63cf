import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, unavailable } from '../commands/errors.ts';
import type { Services } from './services.ts';

/**
 * Commands answer with `X-Event-Position`; a query sent with `X-Min-Position: n` is answered once the read
 * models it reads have applied position n, or with 503 and `Retry-After` after a bounded wait.
 */
export async function awaitReadModels(services: Services, request: FastifyRequest, readModels: string[]): Promise<void> {
  const header = request.headers['x-min-position'];
  if (header === undefined) return;
  const position = Number(header);
  if (typeof header !== 'string' || !Number.isSafeInteger(position) || position < 0) {
    throw badRequest('X-Min-Position must be a non-negative integer');
  }
  const timeout = services.config.READ_YOUR_WRITES_TIMEOUT_MS;
  const reached = await Promise.all(readModels.map((name) => services.progress.waitForPosition(name, position, timeout)));
  if (reached.includes(false)) throw unavailable(`the read model has not yet reached position ${position}`, 1);
}

export function setEventPosition(reply: FastifyReply, position: number | null): void {
  if (position !== null) reply.header('x-event-position', String(position));
}

import type { FastifyReply } from 'fastify';
import { unavailable } from '../commands/errors.ts';
import type { Services } from '../http/services.ts';

/**
 * A command answers with its resource as the matching query shows it, so before reading it the command waits
 * (up to COMMAND_ANSWER_TIMEOUT_MS) until the read models that query reads have applied the position it answers
 * with (`X-Event-Position`, set when it appended). Past the wait: 503 with Retry-After; the command stands, and its
 * position lets the client read the resource once it is there.
 */
export async function awaitOwnWrite(services: Services, reply: FastifyReply, readModels: readonly string[]): Promise<void> {
  const header = reply.getHeader('x-event-position');
  if (header === undefined) return;
  const position = Number(header);
  const timeout = services.config.COMMAND_ANSWER_TIMEOUT_MS;
  const reached = await Promise.all(readModels.map((name) => services.progress.waitForPosition(name, position, timeout)));
  if (reached.includes(false)) {
    throw unavailable(`the change is recorded (position ${position}) but not yet readable; read it with X-Min-Position: ${position}`, 1);
  }
}

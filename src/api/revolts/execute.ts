import type { FastifyReply, FastifyRequest } from 'fastify';
import { revoltDecider, revoltStream, type RevoltCommand } from '../../commands/revolts/decide.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { commandContext } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';

/**
 * Runs a command on a revolt for an HTTP request and sets `X-Event-Position`; returns the new state. Whoever the
 * change leaves without access to their voice channel is removed by the voice-access reactor.
 */
export async function executeOnRevolt(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  revoltId: string,
  command: RevoltCommand,
): Promise<RevoltState> {
  const result = await services.commands.execute(revoltStream(revoltId), revoltDecider, command, commandContext(request));
  setEventPosition(reply, result.position);
  return result.state;
}

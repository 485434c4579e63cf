import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../commands/handler.ts';
import { revoltDecider, revoltStream, type RevoltCommand } from '../../commands/revolts/decide.ts';
import type { RevoltState } from '../../commands/revolts/state.ts';
import { voiceCommands } from '../../commands/voice/execute.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { commandContext } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';

/** Runs a command on a revolt for an HTTP request and sets `X-Event-Position`; returns the new state. */
export async function executeOnRevolt(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  revoltId: string,
  command: RevoltCommand,
): Promise<RevoltState> {
  const context = commandContext(request);
  const result = await services.commands.execute(revoltStream(revoltId), revoltDecider, command, context);
  setEventPosition(reply, result.position);
  await removeFromVoice(services, request, result.events, result.state, context);
  return result.state;
}

/**
 * Whoever a revolt change leaves without access (kicked, banned, left, channel deleted, CONNECT taken away) is
 * removed from voice at once. The revolt command has happened either way: a failure here is logged, and the
 * user is refused on their next voice command anyway.
 */
async function removeFromVoice(
  services: Services,
  request: FastifyRequest,
  events: readonly RecordedEvent[],
  revolt: RevoltState,
  context: CommandContext,
): Promise<void> {
  const voice = voiceCommands(services);
  for (const event of events) {
    try {
      await voice.afterEvent(event, { context: { correlationId: context.correlationId, causationId: event.id } }, revolt);
    } catch (error) {
      request.log.warn({ err: error, event: event.type }, 'voice sweep after a revolt change failed');
    }
  }
}

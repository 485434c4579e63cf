import type { CommandContext, CommandHandler } from '../commands/handler.ts';
import { RequestIds } from '../commands/request-ids.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { Issue } from './reactor.ts';

/**
 * What `reactor` issues its commands with while it reacts to `event`. They share one context: the event as
 * causation, its correlation, the reactor as actor, and ids seeded by (reactor, event) and marked resumed, so that
 * the handler first looks for each command's append and answers with it when it is there (see CommandContext.ids).
 */
export function issuer(commands: CommandHandler, reactor: string, event: RecordedEvent): Issue {
  const context: CommandContext = {
    actorId: `reactor:${reactor}`,
    correlationId: event.metadata.correlationId,
    causationId: event.id,
    ids: new RequestIds(`${reactor}:${event.id}`, new Date(event.metadata.occurredAt), true),
  };
  return (streamId, decider, command) => commands.execute(streamId, decider, command, context);
}

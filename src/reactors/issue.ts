import type { CommandContext, CommandHandler } from '../commands/handler.ts';
import { RequestIds } from '../commands/request-ids.ts';
import type { Cause, Issue } from './reactor.ts';

/**
 * What `reactor` issues its commands with while it reacts to `event`. They share one context: the event as
 * causation, its correlation, the reactor as actor, and ids seeded by (reactor, event, and `key` when given) and
 * marked resumed, so that the handler first looks for each command's append and answers with it when it is there
 * (see CommandContext.ids).
 */
export function issuer(commands: CommandHandler, reactor: string, event: Cause, key?: string): Issue {
  const seed = key === undefined ? `${reactor}:${event.id}` : `${reactor}:${event.id}:${key}`;
  const context: CommandContext = {
    actorId: `reactor:${reactor}`,
    correlationId: event.metadata.correlationId,
    causationId: event.id,
    ids: new RequestIds(seed, new Date(event.metadata.occurredAt), true),
  };
  return (streamId, decider, command) => commands.execute(streamId, decider, command, context);
}

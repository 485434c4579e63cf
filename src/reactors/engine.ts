import type { CommandHandler } from '../commands/handler.ts';
import { ProjectionEngine, type ProjectionEngineOptions } from '../projections/engine/engine.ts';
import type { LaneFamily } from '../projections/engine/family.ts';
import type { ReadModel } from '../projections/engine/read-model.ts';
import { issuer } from './issue.ts';
import type { Reactor } from './reactor.ts';

/**
 * Reactors have queues, checkpoints (`_reactors`) and metrics (`reactor_…`) of their own, and a feeder of their own:
 * a slow reactor never holds the read models back. One registered later starts at the head of the log: it answers
 * what happens from then on, not the history.
 */
export const REACTORS: LaneFamily = { kind: 'reactor', checkpoints: '_reactors', label: 'reactor', startsAt: 'head' };

export interface ReactorEngineOptions extends Omit<ProjectionEngineOptions, 'readModels' | 'family'> {
  reactors: readonly Reactor[];
  /** Runs the commands the reactors issue. */
  commands: CommandHandler;
}

/**
 * The reactors on the projection engine's machinery: one ordered lane each (global concurrency 1), fed from the
 * store after its checkpoint, retried on an unavailable engine, stopped on a failure until `resume`, with status and
 * metrics. Delivery is at least once; the commands' ids make each one's effect happen once (see issue.ts).
 */
export function createReactorEngine({ reactors, commands, ...options }: ReactorEngineOptions): ProjectionEngine {
  return new ProjectionEngine({
    ...options,
    logger: options.logger.child({ lanes: REACTORS.kind }),
    family: REACTORS,
    readModels: reactors.map((reactor) => reactorLane(reactor, commands)),
  });
}

/** A reactor as a lane's handler: it writes no collection of its own, and lets pass the events it does not handle. */
function reactorLane(reactor: Reactor, commands: CommandHandler): ReadModel {
  const handled = new Set<string>(reactor.handles);
  return {
    name: reactor.name,
    collections: [],
    async apply(event) {
      if (handled.has(event.type)) await reactor.react(event, issuer(commands, reactor.name, event));
    },
  };
}

import type { CommandHandler } from '../commands/handler.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { liveContext } from '../projections/engine/context.ts';
import { ProjectionEngine, type ProjectionEngineOptions, type StartOptions } from '../projections/engine/engine.ts';
import type { LaneFamily } from '../projections/engine/family.ts';
import type { ProjectionContext, ReadModel } from '../projections/engine/read-model.ts';
import { issuer } from './issue.ts';
import type { AnyReactor, Reactor, ReactorTools, ReactorWithMemory } from './reactor.ts';

/**
 * Reactors have queues, checkpoints (`_reactors`) and metrics (`reactor_…`) of their own, and a feeder of their own:
 * a slow reactor never holds the read models back. One registered later starts at the head of the log: it answers
 * what happens from then on, not the history (unless it is a reactor with a memory that needs the history: see
 * ReactorWithMemory.startsAt).
 */
export const REACTORS: LaneFamily = { kind: 'reactor', checkpoints: '_reactors', label: 'reactor', startsAt: 'head' };

export interface ReactorEngineOptions extends Omit<ProjectionEngineOptions, 'readModels' | 'family'> {
  reactors: readonly AnyReactor[];
  /** Runs the commands the reactors issue. */
  commands: CommandHandler;
}

/**
 * The reactors on the projection engine's machinery: one ordered lane each (global concurrency 1), fed from the
 * store after its checkpoint, retried on an unavailable engine, stopped on a failure until `resume`, with status and
 * metrics. Delivery is at least once; the commands' ids make each one's effect happen once (see issue.ts).
 */
export function createReactorEngine(options: ReactorEngineOptions): ReactorEngine {
  return new ReactorEngine(options);
}

/** The reactors' lanes, and the sweeps of those that have one (see ReactorWithMemory.sweep). */
export class ReactorEngine extends ProjectionEngine {
  private sweeping: Promise<void> = Promise.resolve();
  private readonly stopSweeps = new AbortController();

  constructor(private readonly reactorOptions: ReactorEngineOptions) {
    const { reactors, commands, ...options } = reactorOptions;
    super({
      ...options,
      logger: options.logger.child({ lanes: REACTORS.kind }),
      family: REACTORS,
      readModels: reactors.map((reactor) => ('reactRun' in reactor ? memoryLane(reactor, commands) : reactorLane(reactor, commands))),
    });
  }

  /** Starts the lanes; a process that runs their workers then runs the sweeps, one reactor after another, in the background. */
  override async start(options: StartOptions = {}): Promise<void> {
    await super.start(options);
    if (options.runWorkers ?? true) this.sweeping = this.sweep();
  }

  /** Resolves once the sweeps begun by `start` have ended (a failed one is logged: the next start runs it again). */
  swept(): Promise<void> {
    return this.sweeping;
  }

  override async stop(): Promise<void> {
    this.stopSweeps.abort();
    await this.sweeping;
    await super.stop();
  }

  private async sweep(): Promise<void> {
    const { reactors, commands, db, logger } = this.reactorOptions;
    for (const reactor of reactors) {
      if (!('reactRun' in reactor) || !reactor.sweep || this.stopSweeps.signal.aborted) continue;
      try {
        await reactor.sweep(tools(reactor, commands, liveContext(db, memoryLane(reactor, commands))), this.stopSweeps.signal);
      } catch (error) {
        logger.error({ err: error, reactor: reactor.name }, 'reactor sweep failed; it runs again at the next start');
      }
    }
  }
}

function tools(reactor: ReactorWithMemory, commands: CommandHandler, ctx: ProjectionContext): ReactorTools {
  return {
    issuing: (cause, key) => issuer(commands, reactor.name, cause, key),
    load: (streamId, decider) => commands.load(streamId, decider),
    ctx,
  };
}

/** A reactor with a memory as a lane's handler: its collections, its start, and each run of the events it handles. */
function memoryLane(reactor: ReactorWithMemory, commands: CommandHandler): ReadModel {
  const handled = new Set<string>(reactor.handles);
  const run = async (events: readonly RecordedEvent[], ctx: ProjectionContext) => {
    const mine = events.filter((event) => handled.has(event.type));
    if (mine.length > 0) await reactor.reactRun(mine, tools(reactor, commands, ctx));
  };
  return {
    name: reactor.name,
    collections: reactor.collections,
    startsAt: reactor.startsAt,
    apply: (event, ctx) => run([event], ctx),
    applyBatch: run,
  };
}

/** A reactor as a lane's handler: it writes no collection of its own, and lets pass the events it does not handle. */
function reactorLane(reactor: Reactor, commands: CommandHandler): ReadModel {
  const handled = new Set<string>(reactor.handles);
  return {
    name: reactor.name,
    collections: [],
    async apply(event) {
      if (handled.has(event.type)) await reactor.react(event, issuer(commands, reactor.name, event), (streamId, decider) => commands.load(streamId, decider));
    },
  };
}

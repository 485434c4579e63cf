import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { EventStore } from '../../events/store/port.ts';
import type { Checkpoints } from './checkpoints.ts';
import { rebuildCollectionName, rebuildContext } from './context.ts';
import { createSpecIndexes } from './indexes.ts';
import type { Lane } from './lane.ts';
import { MAX_BATCH_EVENTS } from './queues.ts';
import { applyEvents, type ReadModel } from './read-model.ts';

export interface RebuildOptions {
  /** Take over a lane whose status is already `rebuilding` (a rebuild that crashed). */
  force?: boolean;
  /** Events read per store page. */
  pageSize?: number;
  /** How long to wait for the lane's active job to finish after pausing it. */
  drainTimeoutMs?: number;
  /** Called after each replayed page (for a CLI progress line). */
  onProgress?(position: number, events: number): void;
}

export interface RebuildDeps {
  db: Db;
  store: EventStore;
  checkpoints: Checkpoints;
  lane: Lane;
  logger: Logger;
}

export interface RebuildResult {
  readModel: string;
  /** Position of the last replayed event: the new checkpoint. */
  position: number;
  events: number;
  durationMs: number;
}

export class RebuildInProgressError extends Error {
  constructor(readonly readModel: string) {
    super(`read model ${readModel} is already being rebuilt (pass force to take over a crashed rebuild)`);
    this.name = 'RebuildInProgressError';
  }
}

/**
 * Rebuilds a read model from position 0 into fresh `${name}__rebuild` collections, then swaps them in.
 *
 * 1. status `rebuilding`, lane queue paused, wait for its active job (the live collections stop moving);
 * 2. create the `__rebuild` collections (dropping leftovers of a crashed rebuild) with their indexes;
 * 3. replay every event through `apply` with a context mapping logical names to the `__rebuild` collections,
 *    page by page until a page comes back empty (this also catches up with what was appended meanwhile);
 * 4. swap each collection: drop the live one, rename the rebuilt one to the live name. FerretDB's
 *    renameCollection has no `dropTarget`, so this is two steps: for a few milliseconds per collection, queries
 *    see the collection missing (an empty result), and with several collections the swap is not atomic across
 *    them;
 * 5. checkpoint := last replayed position, status `running`, error cleared; resume the lane (it applies whatever
 *    was appended after the replay, from the new checkpoint).
 *
 * If the swap itself fails, the lane stays paused and `rebuilding`: run the rebuild again with `force`.
 * If replaying fails, the `__rebuild` collections are dropped, the live ones are untouched and the lane gets its
 * previous status back (resumed if it was running); the error is rethrown.
 */
export async function rebuildReadModel(readModel: ReadModel, deps: RebuildDeps, options: RebuildOptions = {}): Promise<RebuildResult> {
  const { db, store, checkpoints, lane } = deps;
  const name = readModel.name;
  const log = deps.logger.child({ readModel: name, component: 'projection-rebuild' });
  const pageSize = Math.min(options.pageSize ?? MAX_BATCH_EVENTS, 10_000);
  const startedAt = Date.now();

  await checkpoints.ensure([name]);
  const previous = await checkpoints.claimRebuild(name, options.force ?? false);
  if (previous === null) throw new RebuildInProgressError(name);
  log.info({ previous }, 'rebuild started');

  let phase: 'replay' | 'swap' | 'done' = 'replay';
  try {
    await lane.pause();
    await lane.drain(options.drainTimeoutMs ?? 30_000);

    for (const spec of readModel.collections) {
      const physical = rebuildCollectionName(spec.name);
      await db.collection(physical).drop();
      await db.createCollection(physical);
      await createSpecIndexes(db.collection(physical), spec);
    }

    if (readModel.reset) {
      await readModel.reset();
      await checkpoints.set(name, 0, 'rebuilding'); // what a reader waiting for a position must now wait for
    }
    const ctx = rebuildContext(db, readModel);
    let position = 0;
    let events = 0;
    for (;;) {
      const page = await store.readAll({ after: position, maxCount: pageSize });
      if (page.length === 0) break;
      try {
        await applyEvents(readModel, page, ctx);
      } catch (error) {
        log.error({ err: error, fromEventId: page[0]!.id, fromPosition: page[0]!.position }, 'rebuild: handler failed');
        throw error;
      }
      position = page.at(-1)!.position;
      events += page.length;
      options.onProgress?.(position, events);
    }

    phase = 'swap';
    for (const spec of readModel.collections) {
      await db.collection(spec.name).drop();
      await db.renameCollection(rebuildCollectionName(spec.name), spec.name);
    }
    phase = 'done';
    await checkpoints.set(name, position, 'running');
    await lane.resume();
    const result: RebuildResult = { readModel: name, position, events, durationMs: Date.now() - startedAt };
    log.info(result, 'rebuild finished');
    return result;
  } catch (error) {
    if (phase === 'swap') {
      // A live collection may already be dropped: keep the lane paused and `rebuilding` for a forced re-run.
      log.error({ err: error }, 'rebuild failed during the swap; run it again with force');
    } else if (phase === 'replay') {
      for (const spec of readModel.collections) {
        await db.collection(rebuildCollectionName(spec.name)).drop().catch(() => false);
      }
      await checkpoints.setStatus(name, previous).catch(() => {});
      if (previous === 'running') await lane.resume().catch(() => {});
    }
    throw error;
  }
}

import { MongoServerError, type Collection, type Db } from 'mongodb';

/** The Mongo collection holding one checkpoint document per read model. */
export const CHECKPOINTS_COLLECTION = '_projections';

export type LaneStatus = 'running' | 'stopped' | 'rebuilding';

/** Why a lane stopped: the event its handler failed on. */
export interface LaneError {
  eventId: string;
  position: number;
  message: string;
  at: Date;
}

/**
 * `position` is the global position up to which every event has been applied to the read model (positions may
 * have gaps, so it is not a count). This document, not Redis, is the source of truth for where a lane resumes.
 */
export interface CheckpointDoc {
  _id: string;
  position: number;
  status: LaneStatus;
  error?: LaneError;
  updatedAt: Date;
}

const DUPLICATE_KEY = 11000;

/** Reads and writes the checkpoint documents (`_projections`). Each lane is the only writer of its own position. */
export class Checkpoints {
  readonly collection: Collection<CheckpointDoc>;

  constructor(db: Db, collection = CHECKPOINTS_COLLECTION) {
    this.collection = db.collection<CheckpointDoc>(collection);
  }

  /** Creates a `running` checkpoint at `position` for each name that has none; leaves existing ones untouched. */
  async ensure(names: readonly string[], position = 0): Promise<void> {
    for (const name of names) {
      try {
        await this.collection.updateOne(
          { _id: name },
          { $setOnInsert: { position, status: 'running', updatedAt: new Date() } },
          { upsert: true },
        );
      } catch (error) {
        // Two processes starting at once: FerretDB upserts are read-modify-write, the loser sees the winner's insert.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    }
  }

  async get(name: string): Promise<CheckpointDoc | null> {
    return this.collection.findOne({ _id: name });
  }

  async getMany(names: readonly string[]): Promise<Map<string, CheckpointDoc>> {
    const docs = await this.collection.find({ _id: { $in: [...names] } }).toArray();
    return new Map(docs.map((doc) => [doc._id, doc]));
  }

  /** Position of `name`, 0 when it has no checkpoint yet. */
  async position(name: string): Promise<number> {
    return (await this.get(name))?.position ?? 0;
  }

  /** The lowest position among `names` (a missing checkpoint counts as 0): where a shared feed must start. */
  async minPosition(names: readonly string[]): Promise<number> {
    if (names.length === 0) return 0;
    const docs = await this.getMany(names);
    return Math.min(...names.map((name) => docs.get(name)?.position ?? 0));
  }

  /** Moves the position forward only (a late or duplicate write never moves it back). */
  async advance(name: string, position: number): Promise<void> {
    await this.collection.updateOne(
      { _id: name, position: { $lt: position } },
      { $set: { position, updatedAt: new Date() } },
    );
  }

  /**
   * Records that the lane stopped on `error.position`. `appliedUpTo` is the position up to which events were
   * applied before the failure; the checkpoint moves there (never back), so a resume retries the failed event.
   */
  async markStopped(name: string, error: LaneError, appliedUpTo: number): Promise<void> {
    const doc = await this.get(name);
    const position = Math.max(doc?.position ?? 0, appliedUpTo);
    await this.collection.updateOne(
      { _id: name },
      { $set: { position, status: 'stopped', error, updatedAt: new Date() } },
      { upsert: true },
    );
  }

  /** Back to `running`, clearing any recorded error. */
  async markRunning(name: string): Promise<void> {
    await this.collection.updateOne(
      { _id: name },
      { $set: { status: 'running', updatedAt: new Date() }, $unset: { error: '' } },
    );
  }

  /**
   * Claims the lane for a rebuild. Returns the status it had, or null when another rebuild holds it (unless
   * `force`, for taking over from a rebuild that crashed).
   */
  async claimRebuild(name: string, force = false): Promise<LaneStatus | null> {
    const before = await this.get(name);
    const filter = force ? { _id: name } : { _id: name, status: { $ne: 'rebuilding' as const } };
    const result = await this.collection.updateOne(filter, { $set: { status: 'rebuilding', updatedAt: new Date() } });
    if (result.matchedCount === 0) return null;
    return before?.status ?? 'running';
  }

  /** Sets position and status outright (rebuild's final step; also useful to operators and tests). */
  async set(name: string, position: number, status: LaneStatus): Promise<void> {
    await this.collection.updateOne(
      { _id: name },
      { $set: { position, status, updatedAt: new Date() }, $unset: { error: '' } },
      { upsert: true },
    );
  }

  /** Restores a status without touching the position (a failed rebuild hands the lane back as it was). */
  async setStatus(name: string, status: LaneStatus): Promise<void> {
    await this.collection.updateOne({ _id: name }, { $set: { status, updatedAt: new Date() } });
  }
}

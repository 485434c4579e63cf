import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { AnyAccumulator, ReportFilters } from './accumulator.ts';

/** An accumulator's state after every event up to `position` (of which the last happened `at`). */
export interface Snapshot {
  position: number;
  at: string | null;
  state: unknown;
}

/** Where replays keep and find their states part-way: a report, its filters and a position name one. */
export interface SnapshotStore {
  /** The newest snapshot at or before `position`, or null. */
  latest(key: string, position: number): Promise<Snapshot | null>;
  save(key: string, snapshot: Snapshot): Promise<void>;
}

/** Names a report's replays with these filters: a snapshot of one may seed another only when their keys match. */
export function snapshotKey(accumulator: AnyAccumulator, filters: ReportFilters): string {
  const relevant = { v: accumulator.version, from: filters.from ?? null, to: filters.to ?? null, revoltId: filters.revoltId ?? null, bucket: accumulator.timeAxis ? filters.bucket : null };
  return `${accumulator.name}:${createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16)}`;
}

/** Larger states are not kept (a document holds 16 MiB; the replay simply starts further back). */
const MAX_STATE_BYTES = 8 * 1024 * 1024;

interface IndexDocument {
  _id: string;
  positions: number[];
}

interface SnapshotDocument {
  _id: string;
  position: number;
  at: string | null;
  state: string;
}

/**
 * Snapshots in the read-model database's `reportSnapshots` collection. Every lookup is by `_id` (FerretDB scans any
 * other filter): one index document per key (`_id` = the key) lists the positions snapshotted, and each snapshot's
 * `_id` is `<key>:<position>`. The state is stored as its JSON text, byte for byte what the accumulator left.
 */
export class MongoSnapshotStore implements SnapshotStore {
  private readonly indexes: Collection<IndexDocument>;
  private readonly snapshots: Collection<SnapshotDocument>;

  constructor(db: Db, collection = 'reportSnapshots') {
    this.indexes = db.collection<IndexDocument>(collection);
    this.snapshots = db.collection<SnapshotDocument>(collection);
  }

  async latest(key: string, position: number): Promise<Snapshot | null> {
    const index = await this.indexes.findOne({ _id: key });
    const best = (index?.positions ?? []).filter((p) => p <= position).reduce((a, b) => Math.max(a, b), 0);
    if (best === 0) return null;
    const found = await this.snapshots.findOne({ _id: `${key}:${best}` });
    return found ? { position: found.position, at: found.at, state: JSON.parse(found.state) } : null;
  }

  async save(key: string, snapshot: Snapshot): Promise<void> {
    const state = JSON.stringify(snapshot.state);
    if (state.length > MAX_STATE_BYTES) return;
    const _id = `${key}:${snapshot.position}`;
    await this.snapshots.updateOne({ _id }, { $set: { position: snapshot.position, at: snapshot.at, state } }, { upsert: true });
    await this.indexes.updateOne({ _id: key }, { $addToSet: { positions: snapshot.position } }, { upsert: true });
  }
}

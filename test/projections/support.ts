import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { mappedContext } from '../../src/projections/engine/context.ts';
import { createSpecIndexes } from '../../src/projections/engine/indexes.ts';
import { applyEvents, upcasting, type CollectionSpec, type ProjectionContext, type ReadModel } from '../../src/projections/engine/read-model.ts';
import type { DomainEvent } from '../../src/projections/event-types.ts';
import { MONGO_URL } from '../support/engines.ts';

export type ProjectedType = DomainEvent['type'];
export type DataOf<T extends ProjectedType> = Extract<DomainEvent, { type: T }>['data'];

const catalogue = buildEventCatalogue();

/**
 * The event as the store records it at global `position` (the only envelope field read models use), in its
 * current schema version, its data checked as the command handler checks it before appending.
 */
export function at<T extends ProjectedType>(position: number, type: T, data: DataOf<T>): RecordedEvent {
  catalogue.assertValid(type, data);
  return {
    id: randomUUID(),
    type,
    data,
    streamId: `test-${type}`,
    revision: position - 1,
    position,
    metadata: { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt: new Date(0).toISOString(), schemaVersion: catalogue.schemaVersionOf(type) },
  };
}

type Delivery = (readModel: ReadModel, events: readonly RecordedEvent[], ctx: ProjectionContext) => Promise<void>;

/** How a scenario's events reach the read model: the lane's batches, or one `apply` at a time (the lane's fallback). */
const deliveries: Record<string, Delivery> = {
  'in batches': applyEvents,
  'one by one': async (readModel, events, ctx) => {
    for (const event of events) await readModel.apply(event, ctx);
  },
};

/**
 * given(past events).when(events).then(documents) for one read model, on FerretDB, fed as the projection engine
 * feeds it (upcast through the catalogue). Registers the hooks that give the test file its own database. Each
 * `then` plays the scenario twice, in fresh collections with the read model's indexes: the past and the new events
 * as two lane batches (so runs are coalesced), then every event on its own; both must leave exactly `documents`
 * (with `_pos`, sorted by `_id`). No checkpoint filters the events, as after a crash between applying a batch and
 * advancing the checkpoint: a redelivered or older event meets only the guards.
 */
export function readModelScenarios(handler: ReadModel) {
  const readModel = upcasting(handler, catalogue);
  // Scenarios read the read model's first collection; the others (state a lane keeps for itself) are written too.
  const [collection] = readModel.collections;
  if (!collection) throw new Error(`read model ${readModel.name}: scenarios read its first collection, and it declares none`);
  let client: MongoClient;
  let db: Db;
  let scenarios = 0;
  beforeAll(async () => {
    client = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000 });
    db = client.db(`t_read_model_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  async function play(spec: CollectionSpec, history: readonly RecordedEvent[], events: readonly RecordedEvent[], deliver: Delivery) {
    const scenario = ++scenarios;
    const physical = (logical: string) => `${logical}_${scenario}`;
    for (const declared of readModel.collections) await createSpecIndexes(db.collection(physical(declared.name)), declared);
    const ctx = mappedContext(db, readModel, physical);
    await deliver(readModel, history, ctx);
    await deliver(readModel, events, ctx);
    return db.collection(physical(spec.name)).find().sort({ _id: 1 }).toArray();
  }

  return {
    given(history: readonly RecordedEvent[] = []) {
      return {
        when(events: readonly RecordedEvent[]) {
          return {
            /** Exactly `documents`, or whatever `check` asserts of the documents left (called once per delivery). */
            async then(documents: Document[] | ((left: Document[], how: string) => void)): Promise<void> {
              for (const [how, deliver] of Object.entries(deliveries)) {
                const left = await play(collection, history, events, deliver);
                if (typeof documents === 'function') documents(left, how);
                else expect(left, `applied ${how}`).toStrictEqual(documents);
              }
            },
          };
        },
      };
    },
  };
}

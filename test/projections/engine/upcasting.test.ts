import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EventCatalogue } from '../../../src/events/catalogue.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { applyEvents, upcasting, type ProjectionContext, type ReadModel } from '../../../src/projections/engine/read-model.ts';

const catalogue = new EventCatalogue([{ UpcastingTestNamed: z.object({ fullName: z.string() }) }], {
  UpcastingTestNamed: { version: 2, upcasters: { 1: (data) => ({ fullName: (data as { name: string }).name }) } },
});

const named = (position: number, data: unknown, schemaVersion: number): RecordedEvent => ({
  id: `e${position}`,
  type: 'UpcastingTestNamed',
  data,
  streamId: 's',
  revision: position - 1,
  position,
  metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion },
});

/** Records the data it is given; its batch goes through `this.apply`, as the real read models' batches do. */
function recorder(): ReadModel & { seen: unknown[] } {
  return {
    name: 'upcasting_test',
    collections: [],
    seen: [],
    async apply(event) {
      this.seen.push(event.data);
    },
    async applyBatch(events, ctx) {
      for (const event of events) await this.apply(event, ctx);
    },
  };
}

const ctx = {} as ProjectionContext;

describe('upcasting read model', () => {
  it('hands the read model every event in its current schema version, one at a time and in batches', async () => {
    const readModel = recorder();
    const fed = upcasting(readModel, catalogue);
    await fed.apply(named(1, { name: 'Ada' }, 1), ctx);
    await applyEvents(fed, [named(2, { name: 'Grace' }, 1), named(3, { fullName: 'Alan' }, 2)], ctx);
    expect(readModel.seen).toEqual([{ fullName: 'Ada' }, { fullName: 'Grace' }, { fullName: 'Alan' }]);
  });

  it('keeps a read model without a batch handler without one', () => {
    const { applyBatch: _, ...oneByOne } = recorder();
    expect(upcasting(oneByOne, catalogue).applyBatch).toBeUndefined();
  });
});

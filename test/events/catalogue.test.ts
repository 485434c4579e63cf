import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertValidEvent, defineEvents, schemaVersionOf, upcast } from '../../src/events/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';

defineEvents(
  { CatalogueTestRenamed: z.object({ fullName: z.string(), handle: z.string() }) },
  {
    CatalogueTestRenamed: {
      version: 3,
      upcasters: {
        1: (data) => ({ fullName: (data as { name: string }).name }),
        2: (data) => ({ ...(data as object), handle: 'unknown' }),
      },
    },
  },
);

const recorded = (data: unknown, schemaVersion: number): RecordedEvent => ({
  id: 'e1',
  type: 'CatalogueTestRenamed',
  data,
  streamId: 's',
  revision: 0,
  position: 1,
  metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion },
});

describe('event catalogue', () => {
  it('upcasts an old event through every version step to the current shape', () => {
    const event = upcast(recorded({ name: 'Ada' }, 1));
    expect(event.data).toEqual({ fullName: 'Ada', handle: 'unknown' });
    expect(event.metadata.schemaVersion).toBe(3);
    expect(schemaVersionOf('CatalogueTestRenamed')).toBe(3);
  });

  it('leaves current events alone', () => {
    const current = recorded({ fullName: 'Ada', handle: 'ada' }, 3);
    expect(upcast(current)).toBe(current);
  });

  it('refuses unknown types and invalid payloads before they can be appended', () => {
    expect(() => assertValidEvent('NoSuchEvent', {})).toThrow(/unknown event type/);
    expect(() => assertValidEvent('CatalogueTestRenamed', { fullName: 1 })).toThrow(/invalid CatalogueTestRenamed/);
    expect(() => assertValidEvent('CatalogueTestRenamed', { fullName: 'Ada', handle: 'ada' })).not.toThrow();
  });

  it('an event type is defined once', () => {
    expect(() => defineEvents({ CatalogueTestRenamed: z.object({}) })).toThrow(/defined twice/);
  });
});

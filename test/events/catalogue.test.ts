import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { EventCatalogue } from '../../src/events/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';

const renamedSchemas = { CatalogueTestRenamed: z.object({ fullName: z.string(), handle: z.string() }) };
const catalogue = new EventCatalogue([renamedSchemas], {
  CatalogueTestRenamed: {
    version: 3,
    upcasters: {
      1: (data) => ({ fullName: (data as { name: string }).name }),
      2: (data) => ({ ...(data as object), handle: 'unknown' }),
    },
  },
});

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
    const event = catalogue.upcast(recorded({ name: 'Ada' }, 1));
    expect(event.data).toEqual({ fullName: 'Ada', handle: 'unknown' });
    expect(event.metadata.schemaVersion).toBe(3);
    expect(catalogue.schemaVersionOf('CatalogueTestRenamed')).toBe(3);
  });

  it('leaves current events alone', () => {
    const current = recorded({ fullName: 'Ada', handle: 'ada' }, 3);
    expect(catalogue.upcast(current)).toBe(current);
  });

  it('refuses unknown types and invalid payloads before they can be appended', () => {
    expect(() => catalogue.assertValid('NoSuchEvent', {})).toThrow(/unknown event type/);
    expect(() => catalogue.assertValid('CatalogueTestRenamed', { fullName: 1 })).toThrow(/invalid CatalogueTestRenamed/);
    expect(() => catalogue.assertValid('CatalogueTestRenamed', { fullName: 'Ada', handle: 'ada' })).not.toThrow();
  });

  it('an event type is defined once', () => {
    expect(() => new EventCatalogue([renamedSchemas, { CatalogueTestRenamed: z.object({}) }])).toThrow(/defined twice/);
  });

  it("the system's catalogue knows every module's events", () => {
    const system = buildEventCatalogue();
    const oneOfEachModule = ['UserRegistered', 'ValueClaimed', 'RevoltCreated', 'MessageSent', 'AttachmentUploaded', 'DonationPledged', 'StripeEventRecorded', 'AuditorGranted', 'VoiceSessionStarted'];
    for (const type of oneOfEachModule) expect(() => system.assertValid(type, null)).toThrow(`invalid ${type} event`);
  });
});

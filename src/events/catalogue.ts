import type { z } from 'zod';
import type { RecordedEvent } from './envelope.ts';

/** A module's events as `{type, data}` from its zod schemas: one member per name in `K` (every name by default). */
export type EventsOf<S extends Record<string, z.ZodType>, K extends keyof S = keyof S> = { [T in K]: { type: T; data: z.infer<S[T]> } }[K];

/** One module's event types: the zod schema of each one's data (current version). */
export type EventSchemas = Record<string, z.ZodType>;

/** An event type recorded under older schema versions: upcasters[v] turns data of version v into version v + 1. */
export interface EventVersioning {
  version: number;
  upcasters: Record<number, (data: unknown) => unknown>;
}

interface EventDefinition extends EventVersioning {
  schema: z.ZodType;
}

/**
 * The event catalogue: every event type with the zod schema of its data and its current schema version.
 * Events are validated before they are appended; old shapes are upcast when read. The composition root builds
 * the one catalogue of the system from each module's schemas and hands it to whatever appends or reads events.
 */
export class EventCatalogue {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(modules: readonly EventSchemas[], versioning: Record<string, EventVersioning> = {}) {
    for (const schemas of modules) {
      for (const [type, schema] of Object.entries(schemas)) {
        if (this.definitions.has(type)) throw new Error(`event type ${type} defined twice`);
        this.definitions.set(type, { schema, version: versioning[type]?.version ?? 1, upcasters: versioning[type]?.upcasters ?? {} });
      }
    }
  }

  schemaVersionOf(type: string): number {
    return this.definitions.get(type)?.version ?? 1;
  }

  /** Throws if `data` is not a valid current-version payload of `type`: a bug in a decider, never user input. */
  assertValid(type: string, data: unknown): void {
    const definition = this.definitions.get(type);
    if (!definition) throw new Error(`unknown event type ${type}`);
    const result = definition.schema.safeParse(data);
    if (!result.success) throw new Error(`invalid ${type} event: ${result.error.message}`);
  }

  /** Brings an event recorded under an older schema version up to the current one. */
  upcast<E extends RecordedEvent>(event: E): E {
    const definition = this.definitions.get(event.type);
    let version = event.metadata.schemaVersion ?? 1;
    if (!definition || version >= definition.version) return event;
    let data = event.data;
    while (version < definition.version) {
      const step = definition.upcasters[version];
      if (!step) throw new Error(`no upcaster for ${event.type} v${version}`);
      data = step(data);
      version += 1;
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  }
}

import type { z } from 'zod';
import type { RecordedEvent } from './envelope.ts';

/** A module's events as `{type, data}` from its zod schemas: one member per name in `K` (every name by default). */
export type EventsOf<S extends Record<string, z.ZodType>, K extends keyof S = keyof S> = { [T in K]: { type: T; data: z.infer<S[T]> } }[K];

/**
 * The event catalogue: every event type with the zod schema of its data and its current schema version.
 * Events are validated before they are appended; old shapes are upcast when read.
 */
interface EventDefinition {
  schema: z.ZodType;
  version: number;
  /** upcasters[v] turns data of version v into version v + 1. */
  upcasters: Record<number, (data: unknown) => unknown>;
}

const definitions = new Map<string, EventDefinition>();

export function defineEvents(
  schemas: Record<string, z.ZodType>,
  versions: Record<string, { version: number; upcasters: EventDefinition['upcasters'] }> = {},
): void {
  for (const [type, schema] of Object.entries(schemas)) {
    if (definitions.has(type)) throw new Error(`event type ${type} defined twice`);
    definitions.set(type, { schema, version: versions[type]?.version ?? 1, upcasters: versions[type]?.upcasters ?? {} });
  }
}

export function schemaVersionOf(type: string): number {
  return definitions.get(type)?.version ?? 1;
}

/** Throws if `data` is not a valid current-version payload of `type`: a bug in a decider, never user input. */
export function assertValidEvent(type: string, data: unknown): void {
  const definition = definitions.get(type);
  if (!definition) throw new Error(`unknown event type ${type}`);
  const result = definition.schema.safeParse(data);
  if (!result.success) throw new Error(`invalid ${type} event: ${result.error.message}`);
}

/** Brings an event recorded under an older schema version up to the current one. */
export function upcast<E extends RecordedEvent>(event: E): E {
  const definition = definitions.get(event.type);
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

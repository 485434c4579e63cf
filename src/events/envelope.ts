/** Who did what, why and when: carried by every event so auditors can trace any change back to its command. */
export interface EventMetadata {
  correlationId: string;
  causationId: string;
  actorId: string | null;
  occurredAt: string;
  schemaVersion: number;
  /** Hash of the previous event in the same stream, for hash-chained (financial) streams. */
  previousHash?: string;
  [extra: string]: unknown;
}

/** An event as the decider produces it, before the store gives it an id, revision and position. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** An event to append: the id is generated at command time so a retried append is recognisable. */
export interface EventToAppend<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  id: string;
  metadata: EventMetadata;
}

/** An event as read back from the store. `revision` is 0-based within its stream; `position` is global. */
export interface RecordedEvent<Type extends string = string, Data = unknown> extends EventToAppend<Type, Data> {
  streamId: string;
  revision: number;
  position: number;
}

import type { RecordedEvent } from './envelope.ts';

/**
 * Credential hashes stay in the event store, where logins are checked against them. Nothing that follows the store
 * needs them (read models, gateways), and what travels through Redis (lane jobs, pub/sub) is readable by more than us.
 */
const CREDENTIAL_FIELDS = ['passwordHash', 'tokenHash'];

export function withoutCredentials(event: RecordedEvent): RecordedEvent {
  const data = event.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || !CREDENTIAL_FIELDS.some((field) => field in data)) return event;
  const kept = Object.fromEntries(Object.entries(data).filter(([field]) => !CREDENTIAL_FIELDS.includes(field)));
  return { ...event, data: kept };
}

import { csvText } from '../formats/csv.ts';
import { EXPORT_ALLOW_LIST } from './allow-list.ts';
import type { ExportedEvent } from './events.ts';

function field(value: unknown): string {
  if (value === undefined || value === null) return '';
  return csvText(typeof value === 'object' ? JSON.stringify(value) : String(value), typeof value === 'string');
}

/** The CSV header of one event type's export: position, occurredAt, then its allowed fields. */
export const csvHeader = (type: string) => ['position', 'occurredAt', ...EXPORT_ALLOW_LIST[type]!].map((name) => csvText(name, false)).join(',') + '\r\n';

/** One event as a CSV row under its type's header (RFC 4180; nested values as JSON text). */
export const csvRow = (event: ExportedEvent) => [event.position, event.occurredAt, ...EXPORT_ALLOW_LIST[event.type]!.map((f) => event.data[f])].map(field).join(',') + '\r\n';

import type { RecordedEvent } from '../../events/envelope.ts';
import { asDomainEvent } from '../../projections/event-types.ts';
import type { ReportFilters } from '../engine/accumulator.ts';
import { eventTime, inWindow } from '../engine/time.ts';
import { currencyLabel } from './currency.ts';

/** A revolt as the revolts read model counts it: members now; messages and donations (completed minus refunded) in the window. */
export interface LedgerRevolt {
  name: string;
  isPublic: boolean;
  members: number;
  /** Messages sent in the window (the revolt's own system messages included, as `stats.messageCount` counts them). */
  messages: number;
  /** Minor units, summed over currencies as the read model's `stats.totalDonations` is. */
  donations: number;
  currencies: string[];
}

/** Every revolt not deleted, by id. */
export type RevoltLedger = Record<string, LedgerRevolt>;

/**
 * Folds one event into the ledger, the way the revolts read model does (src/projections/revolts/read-model.ts):
 * a join adds a member, a leave, kick or ban of a member removes one, deleting a revolt forgets it. Members are
 * counted as of the replay's position; donations only when recorded inside the filters' window.
 */
export function stepRevoltLedger(ledger: RevoltLedger, recorded: RecordedEvent, filters: ReportFilters): RevoltLedger {
  const event = asDomainEvent(recorded);
  if (!('revoltId' in event.data) || (filters.revoltId !== undefined && event.data.revoltId !== filters.revoltId)) return ledger;
  switch (event.type) {
    case 'RevoltCreated':
      ledger[event.data.revoltId] = { name: event.data.name, isPublic: event.data.settings.isPublic, members: 0, messages: 0, donations: 0, currencies: [] };
      return ledger;
    case 'RevoltUpdated': {
      const revolt = ledger[event.data.revoltId];
      if (!revolt) return ledger;
      if (event.data.changes.name !== undefined) revolt.name = event.data.changes.name;
      if (event.data.changes.settings?.isPublic !== undefined) revolt.isPublic = event.data.changes.settings.isPublic;
      return ledger;
    }
    case 'RevoltDeleted':
      delete ledger[event.data.revoltId];
      return ledger;
    case 'MemberJoined':
      if (ledger[event.data.revoltId]) ledger[event.data.revoltId]!.members += 1;
      return ledger;
    case 'MemberLeft':
    case 'MemberKicked':
      if (ledger[event.data.revoltId]) ledger[event.data.revoltId]!.members -= 1;
      return ledger;
    case 'MemberBanned':
      if (ledger[event.data.revoltId] && event.data.wasMember) ledger[event.data.revoltId]!.members -= 1;
      return ledger;
    case 'MessageSent':
      if (ledger[event.data.revoltId] && inWindow(eventTime(event), filters)) ledger[event.data.revoltId]!.messages += 1;
      return ledger;
    case 'DonationCompleted':
    case 'DonationRefunded': {
      const revolt = ledger[event.data.revoltId];
      if (!revolt || !inWindow(eventTime(event), filters)) return ledger;
      revolt.donations += event.type === 'DonationCompleted' ? event.data.amount : -event.data.amount;
      if (!revolt.currencies.includes(event.data.currency)) revolt.currencies = [...revolt.currencies, event.data.currency].sort();
      return ledger;
    }
    default:
      return ledger;
  }
}

/** The currency column of a sum over revolts. */
export const currencyOf = (revolts: LedgerRevolt[]): string => currencyLabel(revolts.flatMap((r) => r.currencies));

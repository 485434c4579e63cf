import type { Accumulator } from '../engine/accumulator.ts';
import { round, sortedKeys } from '../engine/time.ts';
import { currencyOf, stepRevoltLedger, type RevoltLedger } from '../shared/revolt-ledger.ts';

/** The seed's "Revolt Statistics" pipeline over public revolts: count, total and average members, total donations. */
export const revoltStatistics: Accumulator<RevoltLedger> = {
  name: 'revolt-statistics',
  title: 'Revolt Statistics',
  description: 'Public revolts: how many, their members (total and average) and the donations they received.',
  timeAxis: false,
  version: 2,
  init: () => ({}),
  step: stepRevoltLedger,
  result(ledger) {
    const ids = sortedKeys(ledger).filter((id) => ledger[id]!.isPublic);
    const revolts = ids.map((id) => ledger[id]!);
    const totalMembers = revolts.reduce((sum, r) => sum + r.members, 0);
    return {
      tables: [
        {
          name: 'summary',
          title: 'Public revolts',
          columns: [
            { key: 'totalRevolts', label: 'Revolts', kind: 'integer' },
            { key: 'totalMembers', label: 'Members', kind: 'integer' },
            { key: 'avgMembers', label: 'Average members', kind: 'number' },
            { key: 'totalDonations', label: 'Donations', kind: 'cents' },
            { key: 'currency', label: 'Currency', kind: 'text' },
          ],
          rows: [{ totalRevolts: revolts.length, totalMembers, avgMembers: revolts.length === 0 ? 0 : round(totalMembers / revolts.length), totalDonations: revolts.reduce((sum, r) => sum + r.donations, 0), currency: currencyOf(revolts) }],
        },
        {
          name: 'revolts',
          title: 'Each public revolt',
          columns: [
            { key: 'revoltId', label: 'Revolt id', kind: 'text' },
            { key: 'name', label: 'Name', kind: 'text' },
            { key: 'members', label: 'Members', kind: 'integer' },
            { key: 'messages', label: 'Messages', kind: 'integer' },
            { key: 'donations', label: 'Donations', kind: 'cents' },
            { key: 'currency', label: 'Currency', kind: 'text' },
          ],
          rows: ids.map((id) => ({ revoltId: id, name: ledger[id]!.name, members: ledger[id]!.members, messages: ledger[id]!.messages, donations: ledger[id]!.donations, currency: currencyOf([ledger[id]!]) })),
        },
      ],
      charts: [{ title: 'Members per public revolt', table: 'revolts', kind: 'bar', x: 'name', series: ['members'] }],
    };
  },
};

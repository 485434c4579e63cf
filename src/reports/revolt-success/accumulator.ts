import type { Accumulator } from '../engine/accumulator.ts';
import { round } from '../engine/time.ts';
import { currencyOf, stepRevoltLedger, type RevoltLedger } from '../shared/revolt-ledger.ts';

/** The seed's "Revolt Success Report": revolts grouped by public/private: count, average and total members, donations. */
export const revoltSuccess: Accumulator<RevoltLedger> = {
  name: 'revolt-success',
  title: 'Revolt Success Report',
  description: 'Revolts grouped by visibility (public, private): how many, their members (average and total) and donations.',
  timeAxis: false,
  version: 2,
  init: () => ({}),
  step: stepRevoltLedger,
  result(ledger) {
    const all = Object.values(ledger);
    const rows = (['public', 'private'] as const).map((visibility) => {
      const revolts = all.filter((r) => r.isPublic === (visibility === 'public'));
      const totalMembers = revolts.reduce((sum, r) => sum + r.members, 0);
      return {
        visibility,
        count: revolts.length,
        avgMembers: revolts.length === 0 ? 0 : round(totalMembers / revolts.length),
        totalMembers,
        totalDonations: revolts.reduce((sum, r) => sum + r.donations, 0),
        currency: currencyOf(revolts),
      };
    });
    return {
      tables: [
        {
          name: 'byVisibility',
          title: 'Revolts by visibility',
          columns: [
            { key: 'visibility', label: 'Visibility', kind: 'text' },
            { key: 'count', label: 'Revolts', kind: 'integer' },
            { key: 'avgMembers', label: 'Average members', kind: 'number' },
            { key: 'totalMembers', label: 'Members', kind: 'integer' },
            { key: 'totalDonations', label: 'Donations', kind: 'cents' },
            { key: 'currency', label: 'Currency', kind: 'text' },
          ],
          rows,
        },
      ],
      charts: [{ title: 'Revolts and members by visibility', table: 'byVisibility', kind: 'bar', x: 'visibility', series: ['count', 'totalMembers'] }],
    };
  },
};

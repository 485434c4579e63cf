import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { z } from 'zod';
import { DONATION_CURRENCIES } from '../../commands/donations/rules.ts';
import { isAuditor } from '../../commands/staff/roster.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { donationView, recordFromDocument } from '../../projections/donations/view.ts';
import { limitSchema } from '../../projections/views.ts';
import { requireMember, requireVisible } from '../revolts/access.ts';
import { afterTimeCursor, encodeTimeCursor, NEWEST_FIRST } from '../time-cursor.ts';
import { page as pageOf } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { donationSchema, donationStatsSchema } from './representation.ts';

const statusSchema = z.enum(['pending', 'completed', 'failed', 'refunded']);

const pageQuery = z.object({ limit: limitSchema, before: z.string().max(200).optional(), status: statusSchema.optional() });

/** A revolt's donations and their stats, and my own. */
export const donationListRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const donations = services.db.collection('donations');

  async function page(filter: Filter<Document>, query: z.infer<typeof pageQuery>, viewer: { userId: string; isAuditor: boolean }) {
    const and: Filter<Document>[] = [filter];
    if (query.status) and.push({ status: query.status });
    if (query.before) and.push(afterTimeCursor(query.before, idSchema));
    const docs = await donations
      .find(and.length === 1 ? filter : { $and: and })
      .sort(NEWEST_FIRST)
      .limit(query.limit)
      .toArray();
    const last = docs.at(-1);
    return {
      items: docs.map((doc) => donationView(recordFromDocument(doc), viewer)),
      next: docs.length === query.limit && last ? encodeTimeCursor(last) : null,
    };
  }

  /** A revolt's donations, for its members; anonymous donors stay anonymous, emails are never shown. */
  app.get(
    '/revolts/:revoltId/donations',
    { schema: { params: z.object({ revoltId: idSchema }), querystring: pageQuery, tags: ['donations'], response: responses({ 200: pageOf(donationSchema) }, 404, 503) } },
    async (request) => {
      const { userId } = requireAuth(request);
      await requireMember(services, request.params.revoltId, userId);
      const [, auditor] = await Promise.all([awaitReadModels(services, request, ['donations']), isAuditor(services.commands, userId)]);
      const viewer = { userId, isAuditor: auditor };
      return page({ 'revolt.revoltId': new ObjectId(request.params.revoltId) }, request.query, viewer);
    },
  );

  /**
   * Completed money net of refunds, for anyone who can see the revolt: `total` and `average` in minor units,
   * `count` completed donations (refunded-in-full ones are not counted). Without `currency`, totals add the
   * minor units of every currency (as revolts.stats.totalDonations does) and `byCurrency` has the exact figures.
   * FerretDB's $group has only $sum/$count: the average is total / count, rounded half up.
   */
  app.get(
    '/revolts/:revoltId/donations/stats',
    {
      schema: {
        params: z.object({ revoltId: idSchema }),
        querystring: z.object({ currency: z.enum(DONATION_CURRENCIES).optional() }),
        tags: ['donations'],
        response: responses({ 200: donationStatsSchema }, 404, 503),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await requireVisible(services, request.params.revoltId, userId);
      await awaitReadModels(services, request, ['donations']);
      const match: Document = { 'revolt.revoltId': new ObjectId(request.params.revoltId), status: 'completed' };
      if (request.query.currency) match.currency = request.query.currency;
      // FerretDB v1 computes only the first accumulator of a $group (any others come out 0), so one each.
      const sumBy = async (accumulator: Document) =>
        new Map(
          (await donations.aggregate([{ $match: match }, { $group: { _id: '$currency', value: accumulator } }]).toArray()).map((row) => [
            String(row._id),
            Number(row.value),
          ]),
        );
      const [totals, counts] = await Promise.all([sumBy({ $sum: '$netAmount' }), sumBy({ $sum: 1 })]);
      const figures = (total: number, count: number) => ({ total, count, average: count === 0 ? 0 : Math.round(total / count) });
      const byCurrency: Record<string, ReturnType<typeof figures>> = {};
      let total = 0;
      let count = 0;
      for (const currency of [...counts.keys()].sort()) {
        const net = totals.get(currency) ?? 0;
        const n = counts.get(currency) ?? 0;
        byCurrency[currency] = figures(net, n);
        total += net;
        count += n;
      }
      return { ...figures(total, count), ...(request.query.currency && { currency: request.query.currency }), byCurrency };
    },
  );

  /** My donations, anonymous ones included, with everything about them. */
  app.get('/users/@me/donations', { schema: { querystring: pageQuery, tags: ['donations'], response: responses({ 200: pageOf(donationSchema) }, 503) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['donations']);
    return page({ 'donor.userId': new ObjectId(userId) }, request.query, { userId, isAuditor: false });
  });
};

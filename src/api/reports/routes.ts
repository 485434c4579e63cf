import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest, forbidden, notFound } from '../../commands/errors.ts';
import { staffRolesOf } from '../../commands/staff/roster.ts';
import { requireAuth } from '../../http/context.ts';
import type { Services } from '../../http/services.ts';
import { reportNamed, REPORTS } from '../../reports/catalogue.ts';
import { MongoSnapshotStore } from '../../reports/engine/snapshots.ts';
import { CONTENT_TYPES, renderReport } from '../../reports/formats/index.ts';
import { computeReport, hasTable, reportQuerySchema } from '../../reports/service.ts';
import { responses } from '../schemas/responses.ts';

const catalogueSchema = z.object({
  reports: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      timeAxis: z.boolean().describe('whether the report has a time axis (and so uses `bucket`)'),
    }),
  ),
});

const reportBodySchema = z.custom<Readable>().meta({
  description: 'the report: JSON `{report, title, filters, asOf: {position, time}, tables: [{name, title, columns, rows}], charts}`, CSV of one table (RFC 4180, a header row), or a self-contained HTML page with SVG charts',
  content: {
    'application/json': { schema: { type: 'object' } },
    'text/csv': { schema: { type: 'string' } },
    'text/html': { schema: { type: 'string' } },
  },
});

/** Analysts' reports: replays of the event log (not read models), as of any position. */
export const reportRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const source = { store: services.store, upcast: services.catalogue.upcast.bind(services.catalogue), snapshots: new MongoSnapshotStore(services.db) };

  async function requireAnalyst(userId: string): Promise<void> {
    if (!(await staffRolesOf(services.commands, userId)).has('analyst')) throw forbidden('only analysts may read reports');
  }

  app.get('/reports', { schema: { tags: ['reports'], response: responses({ 200: catalogueSchema }, 403) } }, async (request) => {
    await requireAnalyst(requireAuth(request).userId);
    return { reports: REPORTS.map(({ name, title, description, timeAxis }) => ({ name, title, description, timeAxis })) };
  });

  app.get(
    '/reports/:name',
    {
      schema: { tags: ['reports'], params: z.object({ name: z.string().max(64) }), querystring: reportQuerySchema, response: responses({ 200: reportBodySchema }, 403, 404) },
      config: { rateLimit: { limit: 20, windowSeconds: 60 } },
    },
    async (request, reply) => {
      await requireAnalyst(requireAuth(request).userId);
      const accumulator = reportNamed(request.params.name);
      if (!accumulator) throw notFound('report');
      const query = request.query;
      const run = await computeReport(source, accumulator, query);
      if (!hasTable(run, query.table)) throw badRequest(`report ${accumulator.name} has no table ${query.table}`, { tables: run.body.tables.map((t) => t.name) });
      const filename = `${accumulator.name}-${run.asOfPosition}.${query.format}`;
      return reply
        .type(CONTENT_TYPES[query.format])
        .header('content-disposition', `inline; filename="${filename}"`)
        .header('x-report-as-of-position', String(run.asOfPosition))
        .send(Readable.from(renderReport(run, query.format, { timeAxis: accumulator.timeAxis, table: query.table })));
    },
  );
};

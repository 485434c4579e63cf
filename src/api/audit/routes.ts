import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, notFound } from '../../commands/errors.ts';
import { isAuditor } from '../../commands/staff/roster.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import type { Services } from '../../http/services.ts';
import { donationTrail } from '../../reports/audit/trail.ts';
import { verifyFinancialChains } from '../../reports/audit/verify.ts';
import { responses } from '../schemas/responses.ts';
import { chainReportSchema, donationTrailSchema } from './representation.ts';

/** The auditors' routes: read from the event store itself (not a read model), so they show what is recorded. */
export const auditRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  async function requireAuditor(userId: string): Promise<void> {
    if (!(await isAuditor(services.commands, userId))) throw forbidden('only auditors may read the audit trail');
  }

  app.get('/audit/donations/:donationId', { schema: { params: z.object({ donationId: idSchema }), tags: ['audit'], response: responses({ 200: donationTrailSchema }, 403, 404) } }, async (request) => {
    await requireAuditor(requireAuth(request).userId);
    const trail = await donationTrail(services.store, request.params.donationId);
    if (!trail) throw notFound('donation');
    return trail;
  });

  app.get('/audit/verify', { schema: { tags: ['audit'], response: responses({ 200: chainReportSchema }, 403) }, config: { rateLimit: { limit: 6, windowSeconds: 60 } } }, async (request) => {
    await requireAuditor(requireAuth(request).userId);
    return verifyFinancialChains(services.store);
  });
};

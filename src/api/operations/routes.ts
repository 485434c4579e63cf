import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../../commands/errors.ts';
import type { Services } from '../../http/services.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** /metrics is for the operator's scraper: with METRICS_TOKEN set it needs that bearer token, else loopback only. */
function assertScraper(request: FastifyRequest): void {
  const token = process.env.METRICS_TOKEN;
  if (token ? request.headers.authorization === `Bearer ${token}` : LOOPBACK.has(request.ip)) return;
  throw forbidden('metrics are only served to the configured scraper');
}

async function check(name: string, probe: () => Promise<unknown>) {
  const started = performance.now();
  try {
    const detail = await probe();
    return { name, ok: true, ms: Math.round(performance.now() - started), ...(detail !== undefined && { detail }) };
  } catch (error) {
    return { name, ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/** `/health` probes every engine (200 when all answer, else 503) and `/metrics` serves Prometheus text. */
export async function operationsRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get('/health', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    const checks = await Promise.all([
      check('eventstore', async () => ({ head: await services.store.headPosition() })),
      check('mongodb', () => services.db.command({ ping: 1 }).then(() => undefined)),
      check('redis', () => services.redis.ping().then(() => undefined)),
      check('projections', () => services.projectionStatus()),
    ]);
    const ok = checks.every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
  app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
    assertScraper(request);
    return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
}

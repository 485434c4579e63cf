import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { attachmentRoutes } from '../commands/attachments/routes.ts';
import { authRoutes } from '../commands/auth/routes.ts';
import { donationCommandRoutes } from '../commands/donations/routes.ts';
import { messageCommandRoutes } from '../commands/messages/routes.ts';
import { channelCommandRoutes } from '../commands/revolts/channel-routes.ts';
import { roleCommandRoutes } from '../commands/revolts/role-routes.ts';
import { revoltCommandRoutes } from '../commands/revolts/routes.ts';
import { userCommandRoutes } from '../commands/users/routes.ts';
import { voiceCommandRoutes } from '../commands/voice/routes.ts';
import { stripeWebhookRoutes } from '../payments/webhook-routes.ts';
import { channelQueryRoutes } from '../projections/channels/routes.ts';
import { donationQueryRoutes } from '../projections/donations/routes.ts';
import { messageQueryRoutes } from '../projections/messages/routes.ts';
import { revoltQueryRoutes } from '../projections/revolts/routes.ts';
import { userQueryRoutes } from '../projections/users/routes.ts';
import { voiceQueryRoutes } from '../projections/voice/routes.ts';
import { auditRoutes } from '../reports/audit/routes.ts';
import { authenticator } from './auth.ts';
import { frameworkErrors, installErrorHandling } from './errors.ts';
import { installIdempotency } from './idempotency.ts';
import { installJsonBodyParser } from './json-body.ts';
import { operationsRoutes } from './operations.ts';
import { installRateLimits, RateLimiter } from './rate-limit.ts';
import { installTextGuard } from './text-guard.ts';
import type { Services } from './services.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a bearer token (register, login, invite preview, webhooks, health). */
    public?: boolean;
    /**
     * The route makes a retried Idempotency-Key safe by itself, so the key is not claimed and its answer not
     * stored: for answers that carry a secret (a payment's client secret) that must not be kept anywhere.
     */
    ownIdempotency?: boolean;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installJsonBodyParser(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Revolution Network API', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { config: { public: true, rateLimit: false }, schema: { hide: true } }, () => app.swagger());

  // Responses are data, never markup a browser should interpret, and personal data must not sit in shared caches.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.decorateRequest('auth', null);
  const limiter = new RateLimiter(services.redis, services.config.REDIS_PREFIX, services.config.RATE_LIMIT_SCALE);
  const authenticate = authenticator(services, limiter);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === undefined || request.routeOptions.config.public) return;
    await authenticate(request);
  });
  installRateLimits(app, limiter);
  installTextGuard(app);
  installIdempotency(app, services);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    services.metrics.httpDuration.observe({ method: request.method, route, status: reply.statusCode }, seconds);
    if (MUTATING.has(request.method)) {
      const outcome = reply.statusCode < 400 ? 'accepted' : reply.statusCode < 500 ? 'rejected' : 'failed';
      services.metrics.commandDuration.observe({ route, outcome }, seconds);
    }
  });

  const options = { services };
  await app.register(operationsRoutes, options);
  for (const routes of [authRoutes, userCommandRoutes, revoltCommandRoutes, roleCommandRoutes, channelCommandRoutes, messageCommandRoutes, attachmentRoutes, donationCommandRoutes, voiceCommandRoutes, stripeWebhookRoutes]) {
    await app.register(routes, { ...options, prefix: '/v1' });
  }
  for (const routes of [userQueryRoutes, revoltQueryRoutes, channelQueryRoutes, messageQueryRoutes, donationQueryRoutes, voiceQueryRoutes, auditRoutes]) {
    await app.register(routes, { ...options, prefix: '/v1' });
  }
  return app;
}

import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import { authenticator } from '../http/auth.ts';
import { frameworkErrors, installErrorHandling, installErrorResponses } from '../http/errors.ts';
import { installIdempotency } from '../http/idempotency.ts';
import { installJsonBodyParser } from '../http/json-body.ts';
import { installRateLimits, RateLimiter } from '../http/rate-limit.ts';
import { installOwnWritesLookup, installReadYourWrites } from '../http/read-your-writes.ts';
import { responseSerializerCompiler } from '../http/serializer.ts';
import type { Services } from '../http/services.ts';
import { installTextGuard } from '../http/text-guard.ts';
import { achievementRoutes } from './achievements/routes.ts';
import { attachmentRoutes } from './attachments/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { channelRoutes } from './channels/routes.ts';
import { donationRoutes } from './donations/routes.ts';
import { followRoutes } from './follows/routes.ts';
import { inviteRoutes } from './invites/routes.ts';
import { letterRoutes } from './letters/routes.ts';
import { progressRoutes } from './progress/routes.ts';
import { readStateRoutes } from './read-states/routes.ts';
import { memberRoutes } from './members/routes.ts';
import { messageRoutes } from './messages/routes.ts';
import { announcementRoutes } from './notifications/announcements.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { operationsRoutes } from './operations/routes.ts';
import { personalInviteRoutes } from './personal-invites/routes.ts';
import { revoltRoutes } from './revolts/routes.ts';
import { roleRoutes } from './roles/routes.ts';
import { userRoutes } from './users/routes.ts';
import { voiceRoutes } from './voice/routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a bearer token (register, login, invite preview, webhooks, health). */
    public?: boolean;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    // A hop count or an address list at run time; typed as one member because Fastify's overloads cannot take the union.
    trustProxy: (services.config.TRUST_PROXY ?? false) as boolean,
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  installErrorHandling(app);
  installErrorResponses(app);
  installJsonBodyParser(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Revolution Network API', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // The representations with an id (Revolt, User, Error…) are components every route refers to.
    transformObject: jsonSchemaTransformObject,
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
  installOwnWritesLookup(app, services);
  installRateLimits(app, limiter);
  installTextGuard(app);
  installIdempotency(app, services);
  installReadYourWrites(app, services);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    services.metrics.httpDuration.observe({ method: request.method, route, status: reply.statusCode }, seconds);
    if (MUTATING.has(request.method)) {
      const outcome = reply.statusCode < 400 ? 'accepted' : reply.statusCode < 500 ? 'rejected' : 'failed';
      services.metrics.commandDuration.observe({ route, outcome }, seconds);
    }
  });

  await app.register(operationsRoutes, { services });
  const resources = [authRoutes, userRoutes, revoltRoutes, memberRoutes, inviteRoutes, roleRoutes, channelRoutes, messageRoutes, attachmentRoutes, voiceRoutes, donationRoutes, auditRoutes, reportRoutes, letterRoutes, progressRoutes, followRoutes, achievementRoutes, personalInviteRoutes, readStateRoutes, notificationRoutes, announcementRoutes];
  for (const routes of resources) await app.register(routes, { services, prefix: '/v1' });
  return app;
}

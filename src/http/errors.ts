import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../commands/errors.ts';

const codes = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** The one error body of the API, declared on every route for each error status it may answer with. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(codes).describe('one of the codes of docs/api-errors.md; each has one status'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: '`{ error: { code, message, details? } }`' });
type ErrorBody = z.infer<typeof errorBodySchema>;

const body = (code: ErrorCode, message: string, details?: unknown): ErrorBody => ({
  error: { code, message, ...(details !== undefined && { details }) },
});

/** The catalogue's code for an error status Fastify or a plugin raised (their own codes are not ours). */
const FRAMEWORK_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
};

function frameworkError(error: FastifyError): AppError {
  return new AppError(FRAMEWORK_CODES[error.statusCode ?? 400] ?? 'invalid_request', error.message);
}

/**
 * Fastify's router answers a malformed URL (bad percent-encoding) or an over-long path parameter before any hook or
 * error handler runs; this gives those answers the one error shape too (Fastify's `frameworkErrors` option).
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, code, message } = frameworkError(error);
  reply.status(status).send(body(code, message));
}

type ValidationIssue = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

/**
 * Where each validation issue is, as `body.name` or `querystring.limit`; an unknown key is named with its path
 * (`body.extra`, `body.settings.extra`), one detail per key.
 */
export function validationDetails(context: string, issues: readonly ValidationIssue[]): { path: string; message: string }[] {
  return issues.flatMap(({ instancePath, keyword, message = 'invalid', params }) => {
    const path = [context, ...instancePath.split('/').filter(Boolean)].join('.');
    if (keyword !== 'unrecognized_keys') return [{ path, message }];
    return (params.keys as string[]).map((key) => ({ path: `${path}.${key}`, message: 'unknown field' }));
  });
}

/** Renders every failure in the one error shape with its catalogue status; internals never leak to clients. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).headers(error.headers).send(body(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = validationDetails(error.validationContext ?? 'body', error.validation);
      return reply.status(400).send(body('invalid_request', 'the request is not valid', details));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known = frameworkError(error);
      return reply.status(known.status).send(body(known.code, known.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('internal_error', 'something went wrong; it has been logged'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every route declares the error answers the kit gives any route, beside the ones its own module declares: 400
 * (validation), 500, 401 unless public, 429 unless unlimited, 409/422 for a command (Idempotency-Key in progress,
 * or reused with another request) and 413/415 (a body too large or of another type, DELETE's too), 414 where a
 * path parameter may be too long.
 */
export function installErrorResponses(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const statuses = [400, 500];
    if (!route.config?.public) statuses.push(401);
    if (route.config?.rateLimit !== false) statuses.push(429);
    // A DELETE's body is parsed like any other (and refused when too large or of another type).
    if (methods.some((m) => MUTATING.has(m))) statuses.push(409, 422, 413, 415);
    if (/[:*]/.test(route.url)) statuses.push(414);
    const schema: FastifySchema = (route.schema ??= {});
    schema.response = { ...Object.fromEntries(statuses.map((status) => [status, errorBodySchema])), ...(schema.response as object) };
  });
}

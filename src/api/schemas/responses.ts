import type { z } from 'zod';
import { errorBodySchema } from '../../http/errors.ts';

/**
 * Error statuses a route's own module may answer with (the kit declares 400, 401, 409, 413, 414, 415, 422, 429, 500
 * where they apply; a public route that still answers 401, a failed login, declares it here).
 */
export type ErrorStatus = 401 | 403 | 404 | 409 | 413 | 422 | 502 | 503;

/**
 * A route's `schema.response`: its success answers (200, 201, 204 with `noContent`) and the error statuses it
 * adds to the kit's, each with the one error body.
 *
 *   schema: { params, body, response: responses({ 201: revoltSchema }, 403, 404) }
 */
export function responses<S extends Record<number, z.ZodType>, E extends ErrorStatus>(success: S, ...errors: E[]): S & Record<E, typeof errorBodySchema> {
  return { ...success, ...(Object.fromEntries(errors.map((status) => [status, errorBodySchema])) as Record<E, typeof errorBodySchema>) };
}

/**
 * The one error shape of the API: `{ error: { code, message, details? } }` with the status it maps to.
 * Deciders throw these for broken rules; the HTTP layer renders them.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'invalid_request', message, details);
export const unauthorized = (message = 'authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string, details?: unknown) => new AppError(403, 'forbidden', message, details);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const ruleBroken = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number, details?: unknown) =>
  new AppError(429, 'rate_limited', message, details, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new AppError(503, 'unavailable', message, undefined, { 'retry-after': String(retryAfterSeconds) });

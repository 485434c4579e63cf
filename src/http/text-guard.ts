import type { FastifyInstance } from 'fastify';
import { badRequest } from '../commands/errors.ts';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '../events/storable-text.ts';

/** The 400 for a request holding text no store can hold, naming where (`body.name`, `params.username`, …). */
export const unstorableTextError = (path: string) =>
  badRequest('the request holds text that cannot be stored', [{ path, message: UNSTORABLE_TEXT_MESSAGE }]);

/**
 * Refuses NUL and unpaired surrogates in every route's parsed input before its schema or handler sees it. A hook
 * on the app rather than a refinement on each string schema: a route added later is covered without anyone
 * remembering to, as are `z.unknown()` payloads, record keys and query parameters no schema names. Bodies that
 * are not parsed into JSON values (multipart, the Stripe webhook's raw bytes) are checked by their routes.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path =
      findUnstorableText(request.headers, 'headers') ??
      findUnstorableText(request.params, 'params') ??
      findUnstorableText(request.query, 'querystring') ??
      findUnstorableText(request.body, 'body');
    if (path) throw unstorableTextError(path);
  });
}

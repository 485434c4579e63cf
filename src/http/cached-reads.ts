import type { FastifyRequest } from 'fastify';
import { NOT_REACHED } from '../projections/documents/cache.ts';
import { notReached, requiredPosition } from './read-your-writes.ts';
import type { Services } from './services.ts';

/**
 * A query's read of `readModel` through the document cache (src/projections/documents), as of the position the
 * request must see (X-Min-Position and the caller's own last command, as awaitReadModels waits for); 503 when the
 * read model does not reach it in time. `key` names what `load` reads: the same key must always load the same thing.
 */
export async function cachedRead<T>(services: Services, request: FastifyRequest, readModel: string, key: string, load: () => Promise<T>): Promise<T> {
  const position = (await requiredPosition(services, request)) ?? 0;
  const value = await services.documents.read(readModel, key, position, services.config.READ_YOUR_WRITES_TIMEOUT_MS, load);
  if (value === NOT_REACHED) throw notReached(position);
  return value;
}

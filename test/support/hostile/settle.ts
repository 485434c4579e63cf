import { Redis } from 'ioredis';
import type { RunningServer } from '../../../src/server.ts';
import { REDIS_URL } from '../engines.ts';

/** Every channel the server publishes on Redis, in order, from the moment this subscribes. */
export async function recordPublishes(server: RunningServer): Promise<{ channels: string[]; close(): Promise<void> }> {
  const subscriber = new Redis(REDIS_URL);
  const channels: string[] = [];
  subscriber.on('pmessage', (_pattern, channel) => channels.push(channel));
  await subscriber.psubscribe(`${server.services.config.REDIS_PREFIX}*`);
  return { channels, close: async () => void (await subscriber.quit()) };
}

/**
 * Reactors answer an accepted command later (a join's notifications, its system message), lanes announce their
 * progress, and the publisher sends what was appended: all waited for, so that none of it is taken for the doing of
 * a request sent afterwards.
 */
export async function reactorsSettled(server: RunningServer, published: readonly string[]): Promise<void> {
  const engines = [server.reactors, server.engine];
  const lanes = await Promise.all(engines.map(async (engine) => (await engine.status()).map((lane) => lane.readModel)));
  for (let head = -1, now = await server.services.store.headPosition(); now !== head; now = await server.services.store.headPosition()) {
    head = now;
    await Promise.all(engines.flatMap((engine, i) => lanes[i]!.map((lane) => engine.waitForPosition(lane, head, 20_000))));
  }
  for (let seen = -1; seen !== published.length; ) {
    seen = published.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

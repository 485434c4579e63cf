/**
 * bench/gateway.ts's gateway node: the gateway-only node `src/main.ts` runs (the env turns the API, projections and
 * voice off), driven from outside for the ceiling: raw publishes to its sockets, asked for over Redis.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.ts';
import { Gateway } from '../../src/realtime/gateway.ts';
import { createServer } from '../../src/server.ts';
import { rawPublish, rawPublishChannel, type RawPublish } from './raw-publish.ts';

const config = loadConfig();
const server = await createServer(config);
const requests = new Redis(config.REDIS_URL);
await requests.subscribe(rawPublishChannel(config.REDIS_PREFIX));
const gateway = await Gateway.start(server.services);
let stopping = false;
requests.on('message', (_channel: string, text: string) =>
  rawPublish((topic, message) => gateway.publish(topic, message), JSON.parse(text) as RawPublish, () => stopping),
);

process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    requests.disconnect();
    await gateway.close();
    await server.close();
    process.exit(0);
  })();
});

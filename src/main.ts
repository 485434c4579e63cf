import { loadConfig } from './config.ts';
import { startGateway, type Gateway } from './realtime/gateway.ts';
import { loadUws } from './realtime/uws.ts';
import { createServer } from './server.ts';
import type { VoiceMedia } from './voice/media/index.ts';
import { startVoiceMedia } from './voice/signalling/start.ts';

const config = loadConfig();
// Fail fast, before touching any engine, if uWebSockets.js would run on its slow JS fallback.
if (config.RUN_GATEWAY) loadUws();
const server = await createServer(config);
const { logger } = server.services;
if (config.RUN_API) await server.app.listen({ host: config.API_HOST, port: config.API_PORT });
// Voice media (mediasoup workers) serves the participants whose gateway socket is on this process.
let media: VoiceMedia | undefined;
if (config.RUN_GATEWAY && config.RUN_VOICE) media = await startVoiceMedia(server.services);
let gateway: Gateway | undefined;
if (config.RUN_GATEWAY) gateway = await startGateway(server.services, { voice: media });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  // The gateway first: its clients are told to reconnect and their sessions stored before the engines close.
  await gateway?.close();
  await media?.close();
  await server.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

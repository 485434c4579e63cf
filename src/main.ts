import { loadConfig, type Config } from './config.ts';
import { startGateway, type Gateway } from './realtime/gateway.ts';
import { loadUws } from './realtime/uws.ts';
import { createServer, type RunningServer } from './server.ts';
import { describeStartupFailure } from './startup/failure.ts';
import type { VoiceMedia } from './voice/media/index.ts';
import { startVoiceMedia } from './voice/signalling/start.ts';

let config: Partial<Config> = {};
let server: RunningServer | undefined;
let media: VoiceMedia | undefined;
let gateway: Gateway | undefined;
let started = false;

/** Before the start has finished, any failure (even one thrown inside a native module's callback) ends it in one line. */
function failStart(error: unknown): void {
  if (started) throw error;
  process.stderr.write(`npm start: ${describeStartupFailure(error, config)}\n`);
  const exit = () => process.exit(1);
  setTimeout(exit, 3_000).unref();
  void Promise.allSettled([gateway?.close(), media?.close(), server?.close()]).then(exit);
}
process.on('unhandledRejection', failStart);

try {
  config = loadConfig();
  // Fail fast, before touching any engine, if uWebSockets.js would run on its slow JS fallback.
  if (config.RUN_GATEWAY) loadUws();
  server = await createServer(config as Config);
  if (config.RUN_API) await server.app.listen({ host: config.API_HOST, port: config.API_PORT });
  // Voice media (mediasoup workers) serves the participants whose gateway socket is on this process.
  if (config.RUN_GATEWAY && config.RUN_VOICE) media = await startVoiceMedia(server.services);
  if (config.RUN_GATEWAY) gateway = await startGateway(server.services, { voice: media });
  started = true;
} catch (error) {
  failStart(error);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping || !server) return;
  stopping = true;
  const { logger } = server.services;
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

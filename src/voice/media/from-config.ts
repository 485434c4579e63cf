// VoiceMedia's options from the process configuration (src/config.ts, the "voice media" block).
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { VoiceMediaOptions } from './types.ts';

export function voiceMediaOptions(config: Config, deps: { logger: Logger; redis?: Redis }): VoiceMediaOptions {
  return {
    nodeId: config.VOICE_NODE_ID ?? `${os.hostname()}-${process.pid}`,
    logger: deps.logger,
    ...(config.VOICE_WORKERS ? { workers: config.VOICE_WORKERS } : {}),
    listenIp: config.VOICE_LISTEN_IP,
    ...(config.VOICE_ANNOUNCED_ADDRESS ? { announcedAddress: config.VOICE_ANNOUNCED_ADDRESS } : {}),
    rtcPort: config.VOICE_RTC_PORT,
    maxConsumersPerRouter: config.VOICE_MAX_CONSUMERS_PER_ROUTER,
    ...(deps.redis ? { redis: deps.redis, redisPrefix: config.REDIS_PREFIX } : {}),
  };
}

import os from 'node:os';
import type { Services } from '../../http/services.ts';
import { VoiceMedia } from '../media/index.ts';

/** This process's voice media from the configuration (RUN_VOICE; the variables of src/voice/README.md), in the voice cluster. */
export function startVoiceMedia(services: Pick<Services, 'config' | 'logger' | 'redis'>): Promise<VoiceMedia> {
  const { config, logger, redis } = services;
  return VoiceMedia.start({
    nodeId: config.VOICE_NODE_ID ?? `${os.hostname()}-${process.pid}`,
    logger: logger.child({ component: 'voice-media' }),
    ...(config.VOICE_WORKERS !== undefined && { workers: config.VOICE_WORKERS }),
    listenIp: config.VOICE_LISTEN_IP,
    ...(config.VOICE_ANNOUNCED_ADDRESS !== undefined && { announcedAddress: config.VOICE_ANNOUNCED_ADDRESS }),
    rtcPort: config.VOICE_RTC_PORT,
    maxConsumersPerRouter: config.VOICE_MAX_CONSUMERS_PER_ROUTER,
    redis,
    redisPrefix: config.REDIS_PREFIX,
  });
}

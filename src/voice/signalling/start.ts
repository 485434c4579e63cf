import type { Services } from '../../http/services.ts';
import { VoiceMedia, voiceMediaOptions } from '../media/index.ts';

/** This process's voice media from the configuration (RUN_VOICE; the variables of src/voice/README.md), in the voice cluster. */
export function startVoiceMedia(services: Pick<Services, 'config' | 'logger' | 'redis'>): Promise<VoiceMedia> {
  const { config, logger, redis } = services;
  return VoiceMedia.start(voiceMediaOptions(config, { logger: logger.child({ component: 'voice-media' }), redis }));
}

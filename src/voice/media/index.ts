// The media layer's entry point: VoiceMedia (one per voice process) and its contract. See README.md in src/voice.
export { VoiceMedia, DEFAULT_MAX_CONSUMERS_PER_ROUTER } from './voice-media.ts';
export * from './types.ts';
export { voiceMediaOptions } from './from-config.ts';

import { ACCESS_EVENTS, sweepAfter, type AccessEvent } from '../commands/voice/sweep.ts';
import type { Reactor } from './reactor.ts';

/**
 * Whoever a revolt change leaves without access to their voice channel (kicked, banned, left, the channel
 * deleted, CONNECT taken away, the revolt deleted) is removed from it, with reason `removed`, and their claim
 * released. A sweep removes whoever lacks access when it runs, so answering an event again is right too.
 */
export const voiceAccessReactor: Reactor<AccessEvent> = {
  name: 'voice-access',
  handles: ACCESS_EVENTS,
  async react(event, issue, load) {
    await sweepAfter({ run: issue, load }, event);
  },
};

import type { VoiceEventOf } from '../commands/voice/events.ts';
import { endReplacedStay, settleJoin } from '../commands/voice/settle.ts';
import type { Reactor } from './reactor.ts';

/**
 * Completes joins and moves a crash interrupted: a stay the user's stream has not claimed yet is claimed, and the
 * stay a claim replaced ends (see settle.ts). The execute service has taken these steps already whenever it ran
 * to its end; each is then decided again against the state of now and changes nothing.
 */
export const voiceJoinsReactor: Reactor<VoiceEventOf<'VoiceParticipantJoined' | 'VoiceChannelClaimed'>> = {
  name: 'voice-joins',
  handles: ['VoiceParticipantJoined', 'VoiceChannelClaimed'],
  async react(event, issue, load) {
    const steps = { run: issue, load };
    if (event.type === 'VoiceParticipantJoined') await settleJoin(steps, event.data);
    else await endReplacedStay(steps, event.data);
  },
};

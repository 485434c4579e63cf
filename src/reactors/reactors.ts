import { achievementsReactor } from './achievements.ts';
import { notificationsReactor } from './notifications.ts';
import type { AnyReactor } from './reactor.ts';
import { systemMessagesReactor } from './system-messages.ts';
import { voiceAccessReactor } from './voice-access.ts';
import { voiceJoinsReactor } from './voice-joins.ts';

/** The reactors the composition root runs, each in its own lane. */
export const reactors: readonly AnyReactor[] = [voiceAccessReactor, voiceJoinsReactor, achievementsReactor(), systemMessagesReactor, notificationsReactor()];

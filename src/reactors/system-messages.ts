import { donationDecider } from '../commands/donations/decide.ts';
import type { DonationEventOf } from '../commands/donations/events.ts';
import { donationStream } from '../commands/donations/rules.ts';
import { messageDecider, messageStream } from '../commands/messages/decide.ts';
import { RequestIds } from '../commands/request-ids.ts';
import { revoltDecider, revoltStream } from '../commands/revolts/decide.ts';
import type { RevoltEventOf } from '../commands/revolts/events.ts';
import { userDecider, userStream } from '../commands/users/decide.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { Load, Reactor } from './reactor.ts';

export const SYSTEM_MESSAGES_REACTOR = 'system-messages';

type Trigger = RevoltEventOf<'MemberJoined' | 'MemberLeft' | 'MemberKicked' | 'MemberBanned'> | DonationEventOf<'DonationCompleted'>;

/** What a system message says; `who` is a username, absent for an anonymous donor. */
export type SystemNotice =
  | { kind: 'joined' | 'left' | 'kicked' | 'banned'; who: string }
  | { kind: 'donated'; who?: string; amount: number; currency: string };

/** Minor units as the amount people read: 500 usd is "5.00 USD" (every donation currency has two decimals). */
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

export function systemMessageText(notice: SystemNotice): string {
  switch (notice.kind) {
    case 'joined':
      return `${notice.who} joined the revolt.`;
    case 'left':
      return `${notice.who} left the revolt.`;
    case 'kicked':
    case 'banned':
      return `${notice.who} was ${notice.kind} from the revolt.`;
    case 'donated':
      return `${notice.who ?? 'An anonymous supporter'} donated ${money(notice.amount, notice.currency)}.`;
  }
}

const usernameOf = async (load: Load, userId: string) => (await load(userStream(userId), userDecider)).state.username;

/** How a member who is gone left: on their own, kicked, or banned. */
const DEPARTURES = { MemberLeft: 'left', MemberKicked: 'kicked', MemberBanned: 'banned' } as const;

async function noticeOf(event: Trigger, load: Load): Promise<SystemNotice> {
  switch (event.type) {
    case 'MemberJoined':
      return { kind: 'joined', who: event.data.username };
    case 'MemberLeft':
    case 'MemberKicked':
    case 'MemberBanned':
      return { kind: DEPARTURES[event.type], who: await usernameOf(load, event.data.userId) };
    case 'DonationCompleted': {
      const { amount, currency, donorId } = event.data;
      // Whether the donor asked to stay anonymous is the pledge's; an anonymous donation is never named.
      const { isAnonymous } = (await load(donationStream(event.data.donationId), donationDecider)).state;
      return { kind: 'donated', amount, currency, ...(!isAnonymous && { who: await usernameOf(load, donorId) }) };
    }
  }
}

/** The system message's id: an ObjectId of the event's time, the rest derived from the reactor and the event. */
const messageIdFor = (event: RecordedEvent) => new RequestIds(`${SYSTEM_MESSAGES_REACTOR}:${event.id}`, new Date(event.metadata.occurredAt), false).objectId();

/**
 * System messages in a revolt's system channel (`settings.systemChannelId`): when someone joins (the owner's own
 * join at creation aside) or leaves (on their own, kicked, or banned while a member: as Revolt's system messages
 * say, never the reason), and when a donation to it completes (naming no one when it is anonymous).
 * The message's id derives from the event, so a redelivery or replay finds the message posted already; a revolt
 * without a usable system channel gets nothing (decided by PostSystemMessage).
 */
export const systemMessagesReactor: Reactor<Trigger> = {
  name: SYSTEM_MESSAGES_REACTOR,
  handles: ['MemberJoined', 'MemberLeft', 'MemberKicked', 'MemberBanned', 'DonationCompleted'],
  async react(event, issue, load) {
    if (event.type === 'MemberJoined' && event.data.isOwner) return;
    if (event.type === 'MemberBanned' && !event.data.wasMember) return;
    const { state: revolt } = await load(revoltStream(event.data.revoltId), revoltDecider);
    if (revolt.settings.systemChannelId === undefined) return;
    const content = systemMessageText(await noticeOf(event, load));
    const messageId = messageIdFor(event);
    await issue(messageStream(messageId), messageDecider, { type: 'PostSystemMessage', messageId, revolt, content, at: event.metadata.occurredAt });
  },
};

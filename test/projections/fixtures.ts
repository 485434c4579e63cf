/**
 * The cast of the read-model scenarios: ids, times, and a builder per event type that fills in a valid event
 * about them. Every event happens `position` minutes into the scenario, so a document's times read off the
 * positions of the events that wrote them.
 */
import type { RevoltSettings } from '../../src/commands/revolts/events.ts';
import type { VoiceFlags } from '../../src/commands/voice/events.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { at, type DataOf, type ProjectedType } from './support.ts';

/** Ids in `_id` order of `n`. */
export const hexId = (n: number) => n.toString(16).padStart(24, '0');

export const ids = {
  ada: hexId(1),
  bob: hexId(2),
  revolt: hexId(0x10),
  otherRevolt: hexId(0x11),
  general: hexId(0x20),
  category: hexId(0x21),
  lounge: hexId(0x22),
  session: hexId(0x30),
  donation: hexId(0x40),
};

/** The message a MessageSent at `position` sends by default. */
export const messageId = (position: number) => hexId(0x1000 + position);

export const time = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
export const date = (minutes: number) => new Date(time(minutes));

export const revoltSettings: RevoltSettings = {
  isPublic: true,
  verificationLevel: 0,
  maxMembers: 100,
  allowInvites: true,
  slowMode: 0,
  contentFilter: 0,
  region: 'eu-west',
  premiumTier: 0,
};

const quiet: VoiceFlags = { selfMute: false, selfDeaf: false, serverMute: false, serverDeaf: false, video: false, screenShare: false };

/** A builder of `type` events at a position: `defaults(position)`, with `changes` laid over them. */
export function eventOf<T extends ProjectedType>(type: T, defaults: (position: number) => DataOf<T>) {
  return (position: number, changes: Partial<DataOf<T>> = {}): RecordedEvent => {
    const data = defaults(position);
    Object.assign(data, changes);
    return at(position, type, data);
  };
}

const inRevolt = { revoltId: ids.revolt };
/** The voice session in the lounge. */
export const onSession = { sessionId: ids.session, revoltId: ids.revolt, channelId: ids.lounge };

export const userRegistered = eventOf('UserRegistered', (p) => ({
  userId: ids.ada,
  email: 'ada@example.com',
  username: 'ada',
  discriminator: '0427',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  userType: 'creator',
  joinedAt: time(p),
}));
export const presenceChanged = eventOf('UserPresenceChanged', (p) => ({
  userId: ids.ada,
  connected: true,
  presence: 'online',
  previousPresence: 'offline',
  at: time(p),
}));

export const revoltCreated = eventOf('RevoltCreated', (p) => ({
  ...inRevolt,
  ownerId: ids.ada,
  name: 'Barricade',
  description: 'Where the plans are made',
  settings: revoltSettings,
  inviteCode: 'BARRICADE',
  createdAt: time(p),
}));
export const revoltUpdated = eventOf('RevoltUpdated', (p) => ({ ...inRevolt, changes: {}, updatedAt: time(p) }));
export const revoltDeleted = eventOf('RevoltDeleted', (p) => ({ ...inRevolt, deletedBy: ids.ada, deletedAt: time(p) }));
export const memberJoined = eventOf('MemberJoined', (p) => ({
  ...inRevolt,
  revoltName: 'Barricade',
  userId: ids.ada,
  username: 'ada',
  isOwner: false,
  joinedAt: time(p),
}));
export const memberLeft = eventOf('MemberLeft', (p) => ({ ...inRevolt, userId: ids.bob, at: time(p) }));
export const memberKicked = eventOf('MemberKicked', (p) => ({ ...inRevolt, userId: ids.bob, by: ids.ada, at: time(p) }));
export const memberBanned = eventOf('MemberBanned', (p) => ({ ...inRevolt, userId: ids.bob, by: ids.ada, wasMember: true, at: time(p) }));
export const ownershipTransferred = eventOf('OwnershipTransferred', (p) => ({ ...inRevolt, from: ids.ada, to: ids.bob, at: time(p) }));
export const roleCreated = eventOf('RoleCreated', (p) => ({
  ...inRevolt,
  roleId: 'moderators',
  name: 'Moderators',
  color: '#ff8800',
  permissions: ['MANAGE_MESSAGES'],
  position: 1,
  isManaged: false,
  createdAt: time(p),
}));
export const roleUpdated = eventOf('RoleUpdated', (p) => ({ ...inRevolt, roleId: 'moderators', changes: {}, at: time(p) }));
export const roleDeleted = eventOf('RoleDeleted', (p) => ({ ...inRevolt, roleId: 'moderators', at: time(p) }));
export const roleGranted = eventOf('MemberRoleGranted', (p) => ({ ...inRevolt, userId: ids.bob, roleId: 'moderators', by: ids.ada, at: time(p) }));
export const roleRevoked = eventOf('MemberRoleRevoked', (p) => ({ ...inRevolt, userId: ids.bob, roleId: 'moderators', by: ids.ada, at: time(p) }));

export const channelCreated = eventOf('ChannelCreated', (p) => ({
  ...inRevolt,
  channelId: ids.general,
  name: 'general',
  type: 'text',
  position: 0,
  settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false },
  createdAt: time(p),
}));
export const channelUpdated = eventOf('ChannelUpdated', (p) => ({ ...inRevolt, channelId: ids.general, changes: {}, at: time(p) }));
export const channelDeleted = eventOf('ChannelDeleted', (p) => ({ ...inRevolt, channelId: ids.general, at: time(p) }));

export const messageSent = eventOf('MessageSent', (p) => ({
  messageId: messageId(p),
  channelId: ids.general,
  ...inRevolt,
  authorId: ids.ada,
  content: `message ${p}`,
  type: 'text',
  mentions: [],
  roleMentions: [],
  channelMentions: [],
  mentionEveryone: false,
  createdAt: time(p),
}));

const money = { donationId: ids.donation, ...inRevolt, donorId: ids.bob, ownerId: ids.ada, currency: 'eur' };
export const donationCompleted = eventOf('DonationCompleted', (p) => ({
  ...money,
  amount: 2500,
  stripePaymentIntentId: 'pi_1',
  stripeEventId: 'evt_succeeded',
  stripeEventType: 'payment_intent.succeeded',
  completedAt: time(p),
}));
export const donationRefunded = eventOf('DonationRefunded', (p) => ({ ...money, amount: 1000, refundedTotal: 1000, full: false, refundedAt: time(p) }));

export const voiceJoined = eventOf('VoiceParticipantJoined', (p) => ({ ...onSession, userId: ids.ada, username: 'ada', ...quiet, joinedAt: time(p) }));
export const voiceStateChanged = eventOf('VoiceStateChanged', (p) => ({ ...onSession, userId: ids.ada, by: ids.ada, ...quiet, at: time(p) }));
export const voiceLeft = eventOf('VoiceParticipantLeft', (p) => ({
  ...onSession,
  userId: ids.ada,
  reason: 'left',
  joinedAt: time(p),
  leftAt: time(p),
  durationMs: 0,
  screenShareMs: 0,
}));

/**
 * Who sees which event: the one set of rules, used by the live dispatcher (for each socket an event may concern)
 * and by RESUME's replay from the event store (for the one session being resumed). Both hold a Viewer per session
 * and the revolt states as of the event (see world.ts), so a replay recomputes exactly what live delivery sent.
 */
import { isLiveMember } from '../commands/permissions/visibility.ts';
import type { RevoltState } from '../commands/revolts/state.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { NotificationsIssuedData } from '../commands/notifications/events.ts';
import { notificationOf } from '../commands/notifications/notification.ts';
import { DispatchFrame, Synthetic } from './protocol.ts';
import type { Viewer } from './viewer.ts';
import { channelView, revoltView, visibleChannelIds } from './views.ts';

/** One dispatch for one session: its type, and its payload (or the payload already serialised). */
export interface Dispatch {
  t: string;
  d?: unknown;
  json?: string;
}

const dispatchJson = (dispatch: Dispatch): string => dispatch.json ?? JSON.stringify(dispatch.d ?? null);

/** The frame of a dispatch; `shared` is the event's own frame, reused when the dispatch is the event itself. */
export function frameOf(dispatch: Dispatch, shared?: { d: unknown; frame: DispatchFrame }): DispatchFrame {
  return shared && dispatch.d === shared.d ? shared.frame : new DispatchFrame(dispatch.t, dispatchJson(dispatch));
}

/** Message events: delivered to whoever may view the channel. */
const MESSAGE_EVENTS: ReadonlySet<string> = new Set([
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'ReactionAdded',
  'ReactionRemoved',
  'MessagePinned',
  'MessageUnpinned',
]);

/**
 * Voice events (src/commands/voice, on the channel's voice stream): routed like message events, to whoever may
 * view the voice channel now. The user-stream voice events (claims, standing moderation) reach nobody.
 */
const VOICE_EVENTS: ReadonlySet<string> = new Set([
  'VoiceSessionStarted',
  'VoiceSessionEnded',
  'VoiceParticipantJoined',
  'VoiceParticipantLeft',
  'VoiceStateChanged',
  'VoiceSpeakingChanged',
  'VoiceStreamSet',
]);

/** Channel events: delivered to whoever may view the channel before or after the event. */
const CHANNEL_EVENTS: ReadonlySet<string> = new Set([
  'ChannelCreated',
  'ChannelUpdated',
  'ChannelDeleted',
  'ChannelPermissionsSet',
  'ChannelPermissionsRemoved',
]);

/** Revolt-wide events: delivered to the members before or after the event. RevoltCreated reaches nobody (the creator learns of it through RevoltAvailable). */
const REVOLT_EVENTS: ReadonlySet<string> = new Set([
  'RevoltUpdated',
  'RevoltDeleted',
  'InviteCodeSet',
  'MemberJoined',
  'MemberLeft',
  'MemberKicked',
  'MemberBanned',
  'MemberUnbanned',
  'OwnershipTransferred',
  'RoleCreated',
  'RoleUpdated',
  'RoleDeleted',
  'MemberRoleGranted',
  'MemberRoleRevoked',
]);

/** Events after which a member's visible channels may differ. */
const VISIBILITY_EVENTS: ReadonlySet<string> = new Set([
  'ChannelCreated',
  'ChannelDeleted',
  'ChannelPermissionsSet',
  'ChannelPermissionsRemoved',
  'OwnershipTransferred',
  'RoleUpdated',
  'RoleDeleted',
  'MemberRoleGranted',
  'MemberRoleRevoked',
]);

/** Whether members' visible channels may differ after the event: a channel made private or public counts too. */
function mayChangeVisibility(event: RecordedEvent): boolean {
  if (event.type === 'ChannelUpdated') return (event.data as { changes: { settings?: { isPrivate?: boolean } } }).changes.settings?.isPrivate !== undefined;
  return VISIBILITY_EVENTS.has(event.type);
}

/**
 * User events: to the user themself, and (profile, visible presence) to the members of revolts they share. An
 * achievement unlocked reaches only the user's own sessions, and so does an ack (`ChannelAcked`: their read state
 * of a channel moved; new messages move the counts client-side, from the MessageSent dispatches) and a verified
 * email (`EmailVerified`: the client drops its "verify your email" banner and may speak where the level asked it).
 */
const USER_EVENTS: ReadonlySet<string> = new Set([
  'UserProfileUpdated',
  'UserStatusChanged',
  'UserPresenceChanged',
  'AchievementUnlocked',
  'NotificationRead',
  'NotificationsReadAll',
  'NotificationSettingsUpdated',
  'ChannelAcked',
  'EmailVerified',
]);

/** A batch of notifications: each recipient's sessions get their own notification, as `NotificationCreated`. */
export const NOTIFICATIONS_ISSUED = 'NotificationsIssued';
export const NOTIFICATION_CREATED = 'NotificationCreated';

const UNAVAILABLE_REASON: Record<string, string> = {
  MemberLeft: 'left',
  MemberKicked: 'kicked',
  MemberBanned: 'banned',
  RevoltDeleted: 'deleted',
};

export type EventKind = 'message' | 'revolt' | 'user' | 'notifications';

/**
 * What kind of routing an event needs; undefined for events no client receives (sessions, reservations, ...).
 * 'message': channel-scoped (messages and voice), for whoever may view the channel now.
 */
export function kindOf(type: string): EventKind | undefined {
  if (MESSAGE_EVENTS.has(type) || VOICE_EVENTS.has(type)) return 'message';
  if (CHANNEL_EVENTS.has(type) || REVOLT_EVENTS.has(type) || type === 'RevoltCreated') return 'revolt';
  if (USER_EVENTS.has(type)) return 'user';
  if (type === NOTIFICATIONS_ISSUED) return 'notifications';
  return undefined;
}

interface ChannelScoped {
  revoltId: string;
  channelId: string;
}

/** Whether the viewer may see a message (or voice) event: they may view its channel right now. */
export function seesMessage(viewer: Viewer, event: RecordedEvent): boolean {
  const { revoltId, channelId } = event.data as ChannelScoped;
  return viewer.revolts.get(revoltId)?.has(channelId) ?? false;
}

/** The user whose membership a revolt event is about, if any (a joiner must be considered though not yet a member). */
export function subjectOf(event: RecordedEvent): string | undefined {
  return event.type === 'MemberJoined' ? (event.data as { userId: string }).userId : undefined;
}

/**
 * The dispatches a revolt-stream event makes for one viewer, given the revolt's state after it; updates the
 * viewer's membership and visible channels. Order: the event itself, then what it changed for this viewer
 * (RevoltAvailable, RevoltUnavailable or ChannelAccessChanged).
 */
export function routeRevoltEvent(viewer: Viewer, event: RecordedEvent, revoltId: string, after: RevoltState): Dispatch[] {
  const out: Dispatch[] = [];
  const before = viewer.revolts.get(revoltId);
  const member = isLiveMember(after, viewer.userId);
  // The viewer's channels after the event: resolved at most once (every channel's permissions), and only if needed.
  let visibleAfter: Set<string> | undefined;
  const visibleNow = () => (visibleAfter ??= visibleChannelIds(after, viewer.userId));
  if (CHANNEL_EVENTS.has(event.type)) {
    const { channelId } = event.data as ChannelScoped;
    const seesAfter = member && visibleNow().has(channelId);
    if (before?.has(channelId) || seesAfter) out.push({ t: event.type, d: event.data });
  } else if (REVOLT_EVENTS.has(event.type) && (before !== undefined || member)) {
    out.push({ t: event.type, d: event.data });
  }

  if (before === undefined && member) {
    const visible = visibleNow();
    viewer.revolts.set(revoltId, visible);
    out.push({ t: Synthetic.REVOLT_AVAILABLE, d: revoltView(after, visible) });
  } else if (before !== undefined && !member) {
    viewer.revolts.delete(revoltId);
    out.push({ t: Synthetic.REVOLT_UNAVAILABLE, d: { revoltId, reason: UNAVAILABLE_REASON[event.type] ?? 'left' } });
  } else if (before !== undefined && mayChangeVisibility(event)) {
    const visible = visibleNow();
    // A created or deleted channel was announced by the event itself.
    const own = event.type === 'ChannelCreated' || event.type === 'ChannelDeleted' ? (event.data as ChannelScoped).channelId : undefined;
    const added = [...visible].filter((id) => !before.has(id) && id !== own);
    const removed = [...before].filter((id) => !visible.has(id) && id !== own);
    viewer.revolts.set(revoltId, visible);
    if (added.length > 0 || removed.length > 0) {
      out.push({
        t: Synthetic.CHANNEL_ACCESS_CHANGED,
        d: { revoltId, added: added.map((id) => channelView(after, after.channels.get(id)!)), removed },
      });
    }
  }
  return out;
}

/** Whether `userId` is a member of one of the viewer's revolts (states as of the event). */
function sharesRevolt(viewer: Viewer, userId: string, revoltOf: (revoltId: string) => RevoltState | undefined): boolean {
  for (const revoltId of viewer.revolts.keys()) {
    if (revoltOf(revoltId)?.members.has(userId)) return true;
  }
  return false;
}

/**
 * Whether a user event may reach anyone but the user themself: profile changes, and presence changes that alter
 * what others see. Status changes, and presence changes others cannot tell apart, reach only the user.
 */
export function reachesOthers(event: RecordedEvent): boolean {
  if (event.type === 'UserProfileUpdated') return true;
  if (event.type !== 'UserPresenceChanged') return false;
  const { presence, previousPresence } = event.data as { presence: string; previousPresence: string };
  return presence !== previousPresence;
}

/**
 * User events: status to the user only; profile changes to the user and to members of revolts they share;
 * presence to the user (with `connected`) and, when what others see changed, to those members (invisible looks offline).
 */
export function routeUserEvent(viewer: Viewer, event: RecordedEvent, revoltOf: (revoltId: string) => RevoltState | undefined): Dispatch[] {
  if (!USER_EVENTS.has(event.type)) return [];
  const data = event.data as { userId: string };
  if (data.userId === viewer.userId) return [{ t: event.type, d: event.data }];
  if (!reachesOthers(event) || !sharesRevolt(viewer, data.userId, revoltOf)) return [];
  if (event.type === 'UserPresenceChanged') {
    const { userId, presence, previousPresence, at } = event.data as { userId: string; presence: string; previousPresence: string; at: string };
    return [{ t: event.type, d: { userId, presence, previousPresence, at } }];
  }
  return [{ t: event.type, d: event.data }];
}

/** The notification a batch holds for `userId`, if they are among its recipients. */
export function routeNotifications(userId: string, event: RecordedEvent, isRecipient = (event.data as NotificationsIssuedData).recipients.includes(userId)): Dispatch[] {
  return isRecipient ? [{ t: NOTIFICATION_CREATED, d: notificationOf(event.data as NotificationsIssuedData, userId) }] : [];
}

import type { NotificationEvent, RevoltNotificationSettings } from './events.ts';

export interface BatchState {
  issued: boolean;
}
export const initialBatchState: BatchState = { issued: false };
export const evolveBatch = (state: BatchState, event: NotificationEvent): BatchState => (event.type === 'NotificationsIssued' ? { issued: true } : state);

/** A user's inbox: the notifications they read one by one since they last read them all. */
export interface InboxState {
  read: ReadonlySet<string>;
}
export const initialInboxState: InboxState = { read: new Set() };
export function evolveInbox(state: InboxState, event: NotificationEvent): InboxState {
  if (event.type === 'NotificationRead') return { read: new Set(state.read).add(event.data.notificationId) };
  if (event.type === 'NotificationsReadAll') return { read: new Set() };
  return state;
}

/** Everything on, until the user says otherwise. */
export const DEFAULT_REVOLT_SETTINGS: RevoltNotificationSettings = { muted: false, mentionsOnly: false, suppressJoinLeave: false };

export interface SettingsState {
  revolts: ReadonlyMap<string, RevoltNotificationSettings>;
}
export const initialSettingsState: SettingsState = { revolts: new Map() };
export function evolveSettings(state: SettingsState, event: NotificationEvent): SettingsState {
  if (event.type !== 'NotificationSettingsUpdated') return state;
  const { revoltId, muted, mentionsOnly, suppressJoinLeave } = event.data;
  return { revolts: new Map(state.revolts).set(revoltId, { muted, mentionsOnly, suppressJoinLeave }) };
}

export interface AnnouncementState {
  posted: boolean;
}
export const initialAnnouncementState: AnnouncementState = { posted: false };
export const evolveAnnouncement = (state: AnnouncementState, event: NotificationEvent): AnnouncementState =>
  event.type === 'AnnouncementPosted' ? { posted: true } : state;

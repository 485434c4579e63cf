import type { AchievementEvent } from '../commands/achievements/events.ts';
import type { ActivityEvent } from '../commands/activity/events.ts';
import type { CourseEvent } from '../commands/course/events.ts';
import type { DonationEvent } from '../commands/donations/events.ts';
import type { FollowEvent } from '../commands/follows/events.ts';
import type { MessageEvent, PinEvent } from '../commands/messages/events.ts';
import type { PersonalInviteEvent } from '../commands/personal-invites/events.ts';
import type { ProgressEvent } from '../commands/progress/events.ts';
import type { ReadStateEvent } from '../commands/read-states/events.ts';
import type { RevoltEvent } from '../commands/revolts/events.ts';
import type { UserEvent } from '../commands/users/events.ts';
import type { VoiceEvent } from '../commands/voice/events.ts';
import type { RecordedEvent } from '../events/envelope.ts';

/** The domain events read models project, as recorded (with position and metadata). */
export type DomainEvent = RecordedEvent & (UserEvent | RevoltEvent | MessageEvent | PinEvent | DonationEvent | VoiceEvent | FollowEvent | ProgressEvent | CourseEvent | AchievementEvent | ActivityEvent | PersonalInviteEvent | ReadStateEvent);

/** Read models see every event in its current schema version: the projection engine upcasts before applying. */
export const asDomainEvent = (event: RecordedEvent) => event as DomainEvent;

export type MessageSentEvent = RecordedEvent & Extract<MessageEvent, { type: 'MessageSent' }>;

/** The hot event: read models coalesce runs of it (see batching.ts). */
export const isMessageSent = (event: RecordedEvent): event is MessageSentEvent => event.type === 'MessageSent';

import { achievementEventSchemas } from './commands/achievements/events.ts';
import { activityEventSchemas } from './commands/activity/events.ts';
import { attachmentEventSchemas } from './commands/attachments/events.ts';
import { courseEventSchemas } from './commands/course/events.ts';
import { donationEventSchemas } from './commands/donations/events.ts';
import { followEventSchemas } from './commands/follows/events.ts';
import { messageEventSchemas } from './commands/messages/events.ts';
import { personalInviteEventSchemas } from './commands/personal-invites/events.ts';
import { notificationEventSchemas } from './commands/notifications/events.ts';
import { progressEventSchemas } from './commands/progress/events.ts';
import { readStateEventSchemas } from './commands/read-states/events.ts';
import { reservationEventSchemas } from './commands/reservations/reservation.ts';
import { revoltEventSchemas } from './commands/revolts/events.ts';
import { staffEventSchemas } from './commands/staff/events.ts';
import { userEventSchemas } from './commands/users/events.ts';
import { voiceEventSchemas } from './commands/voice/events.ts';
import { EventCatalogue } from './events/catalogue.ts';
import { stripeEventSchemas } from './payments/stripe-events.ts';

/** The catalogue of every event type the system records, from each module's schemas (the composition root's). */
export function buildEventCatalogue(): EventCatalogue {
  return new EventCatalogue([
    userEventSchemas,
    reservationEventSchemas,
    revoltEventSchemas,
    messageEventSchemas,
    attachmentEventSchemas,
    donationEventSchemas,
    stripeEventSchemas,
    staffEventSchemas,
    voiceEventSchemas,
    courseEventSchemas,
    followEventSchemas,
    progressEventSchemas,
    achievementEventSchemas,
    personalInviteEventSchemas,
    readStateEventSchemas,
    notificationEventSchemas,
    activityEventSchemas,
  ]);
}

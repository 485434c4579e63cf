import { attachmentEventSchemas } from '../commands/attachments/events.ts';
import { donationEventSchemas } from '../commands/donations/events.ts';
import { messageEventSchemas } from '../commands/messages/events.ts';
import { reservationEventSchemas } from '../commands/reservations/reservation.ts';
import { revoltEventSchemas } from '../commands/revolts/events.ts';
import { userEventSchemas } from '../commands/users/events.ts';
import { voiceEventSchemas } from '../commands/voice/events.ts';
import { stripeEventSchemas } from '../payments/stripe-events.ts';
import { auditorEventSchemas } from '../reports/audit/roster.ts';
import { defineEvents } from './catalogue.ts';

/** Registers every event type of the system with the catalogue; imported by the command handler. */
defineEvents({
  ...userEventSchemas,
  ...reservationEventSchemas,
  ...revoltEventSchemas,
  ...messageEventSchemas,
  ...attachmentEventSchemas,
  ...donationEventSchemas,
  ...stripeEventSchemas,
  ...auditorEventSchemas,
  ...voiceEventSchemas,
});

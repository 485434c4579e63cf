import type { Collection } from 'mongodb';
import type { NotificationEventOf } from '../commands/notifications/events.ts';
import type { RevoltPreferences } from '../commands/notifications/recipients.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { updateGuarded, POSITION_FIELD } from '../projections/engine/guard.ts';
import type { ProjectionContext } from '../projections/engine/read-model.ts';
import { insertAbsent } from '../projections/notifications/bulk.ts';

/**
 * The notifications reactor's memory, written by its lane only, every write guarded by position:
 * - `notification_preferences`: per revolt, who muted it, who keeps only mentions, who hears no joins or leaves
 *   (one document read per trigger, whatever the number of members);
 * - `notification_users`: every registered user with the position of their registration, for announcements to
 *   everyone (those registered before the announcement, whenever it is answered).
 */
export const PREFERENCES = 'notification_preferences';
export const REGISTERED = 'notification_users';

type PreferenceField = keyof RevoltPreferences;
type PreferencesDoc = { _id: string; [POSITION_FIELD]: number } & Partial<Record<PreferenceField, string[]>>;
interface RegisteredDoc {
  _id: string;
  [POSITION_FIELD]: number;
}

export class NotificationMemory {
  private readonly preferences: Collection<PreferencesDoc>;
  private readonly registered: Collection<RegisteredDoc>;

  constructor(ctx: ProjectionContext) {
    this.preferences = ctx.collection<PreferencesDoc>(PREFERENCES);
    this.registered = ctx.collection<RegisteredDoc>(REGISTERED);
  }

  async preferencesOf(revoltId: string): Promise<RevoltPreferences> {
    const doc = await this.preferences.findOne({ _id: revoltId });
    return { muted: new Set(doc?.muted), mentionsOnly: new Set(doc?.mentionsOnly), suppressJoinLeave: new Set(doc?.suppressJoinLeave) };
  }

  /** A user's settings for a revolt, as of the event: each flag adds the user to its set or takes them out. */
  async remember(event: RecordedEvent & NotificationEventOf<'NotificationSettingsUpdated'>): Promise<void> {
    const { userId, revoltId } = event.data;
    const flags: PreferenceField[] = ['muted', 'mentionsOnly', 'suppressJoinLeave'];
    const on = Object.fromEntries(flags.filter((flag) => event.data[flag]).map((flag) => [flag, userId]));
    const off = Object.fromEntries(flags.filter((flag) => !event.data[flag]).map((flag) => [flag, userId]));
    await updateGuarded(this.preferences, { _id: revoltId }, { ...(Object.keys(on).length > 0 && { $addToSet: on }), ...(Object.keys(off).length > 0 && { $pull: off }) }, event.position, { upsert: true });
  }

  /** Registrations, in one write; those recorded by an earlier delivery stay as they are. */
  async register(events: readonly RecordedEvent[]): Promise<void> {
    await insertAbsent(this.registered, events.map((event) => ({ _id: (event.data as { userId: string }).userId, [POSITION_FIELD]: event.position })));
  }

  /** The users registered before `position`, in id order (the cursor read to its end). */
  async registeredBefore(position: number): Promise<string[]> {
    const ids: string[] = [];
    for await (const doc of this.registered.find({ [POSITION_FIELD]: { $lt: position } }, { projection: { _id: 1 } }).sort({ _id: 1 })) ids.push(doc._id);
    return ids;
  }
}

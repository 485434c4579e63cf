import type pg from 'pg';
import type { NotificationEventOf } from '../../commands/notifications/events.ts';
import { notificationOf } from '../../commands/notifications/notification.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { inRuns } from '../batching.ts';
import type { ReadModel } from '../engine/read-model.ts';

export const INBOX_READ_MODEL = 'inbox';

/** Rows per insert: bounded statements for any audience (an @everyone of a big revolt, or a run of them). */
const CHUNK = 5000;

type Issued = RecordedEvent & NotificationEventOf<'NotificationsIssued'>;
type Read = RecordedEvent & NotificationEventOf<'NotificationRead'>;
type ReadAll = RecordedEvent & NotificationEventOf<'NotificationsReadAll'>;

const isIssued = (event: RecordedEvent): event is Issued => event.type === 'NotificationsIssued';

/** Where the inbox lives: its two tables, schema-qualified and escaped. */
export interface InboxTables {
  notifications: string;
  unread: string;
}

interface Row {
  id: string;
  userId: string;
  createdAt: string;
  position: number;
  doc: string;
}

/** Each recipient's row of a batch: the notification as its recipient reads it (times normalised as the API prints them). */
function rowsOf(event: Issued): Row[] {
  const createdAt = new Date(event.data.createdAt).toISOString();
  return event.data.recipients.map((userId) => {
    const notification = { ...notificationOf(event.data, userId), createdAt };
    return { id: notification.id, userId, createdAt, position: event.position, doc: JSON.stringify(notification) };
  });
}

/**
 * The inbox lane's writes, mirroring the `notifications` read model: each insert counts, in the same statement,
 * the rows it inserted into their users' unread counts, and each read counts down what it marked; so a redelivered
 * batch (its rows there already) or read (its notification read already) changes nothing, without a window between
 * the two writes. Read-all is guarded by position on both tables.
 */
export function inboxReadModel(pool: pg.Pool, tables: InboxTables): ReadModel {
  const { notifications, unread } = tables;

  const issued = async (run: Issued[]) => {
    const rows = run.flatMap(rowsOf);
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      await pool.query(
        `with inserted as (
           insert into ${notifications} (id, user_id, created_at, is_read, pos, doc)
           select x.id, x.user_id, x.created_at, false, x.pos, x.doc
           from unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::jsonb[]) as x(id, user_id, created_at, pos, doc)
           on conflict (id) do nothing
           returning user_id, pos
         )
         insert into ${unread} (user_id, unread, pos)
         select user_id, count(*), max(pos) from inserted group by user_id
         on conflict (user_id) do update set unread = ${unread}.unread + excluded.unread, pos = greatest(${unread}.pos, excluded.pos)`,
        [chunk.map((r) => r.id), chunk.map((r) => r.userId), chunk.map((r) => r.createdAt), chunk.map((r) => r.position), chunk.map((r) => r.doc)],
      );
    }
  };

  const read = async ({ data, position }: Read) => {
    await pool.query(
      `with marked as (
         update ${notifications} set is_read = true, pos = $3, doc = doc || jsonb_build_object('isRead', true, 'readAt', $4::text)
         where id = $1 and user_id = $2 and not is_read and pos < $3
         returning user_id
       )
       update ${unread} set unread = unread - 1, pos = greatest(pos, $3) where user_id in (select user_id from marked)`,
      [data.notificationId, data.userId, position, new Date(data.at).toISOString()],
    );
  };

  const readAll = async ({ data, position }: ReadAll) => {
    await pool.query(
      `update ${notifications} set is_read = true, pos = $2, doc = doc || jsonb_build_object('isRead', true, 'readAt', $3::text)
       where user_id = $1 and not is_read and pos < $2`,
      [data.userId, position, new Date(data.at).toISOString()],
    );
    await pool.query(`update ${unread} set unread = 0, pos = $2 where user_id = $1 and pos < $2`, [data.userId, position]);
  };

  return {
    name: INBOX_READ_MODEL,
    collections: [],
    async applyBatch(events, ctx) {
      await inRuns(events, isIssued, (event) => this.apply(event, ctx), issued);
    },
    async apply(event) {
      if (isIssued(event)) await issued([event]);
      else if (event.type === 'NotificationRead') await read(event as Read);
      else if (event.type === 'NotificationsReadAll') await readAll(event as ReadAll);
    },
  };
}

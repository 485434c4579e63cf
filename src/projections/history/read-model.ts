import type pg from 'pg';
import { inRuns } from '../batching.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent, isMessageSent, type MessageSentEvent } from '../event-types.ts';
import { editedJson, reacted, sentJson, type StoredReaction } from '../search/document.ts';

export const HISTORY_READ_MODEL = 'history';

/**
 * The history lane's writes, mirroring the `messages` read model event for event: one insert per run of MessageSent,
 * one guarded statement per other event. A channel or revolt deleted keeps its rows, as `messages` keeps its
 * documents (the route's access check answers 404 first).
 */
export function historyReadModel(pool: pg.Pool, table: string): ReadModel {
  const sent = async (run: MessageSentEvent[]) => {
    await pool.query(
      `insert into ${table} (id, channel_id, created_at, deleted, pos, doc)
       select x.id, x.channel_id, x.created_at, false, x.pos, x.doc
       from unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::jsonb[]) as x(id, channel_id, created_at, pos, doc)
       on conflict (id) do nothing`,
      [
        run.map((e) => e.data.messageId),
        run.map((e) => e.data.channelId),
        run.map((e) => e.data.createdAt),
        run.map((e) => e.position),
        run.map((e) => JSON.stringify(sentJson(e.data))),
      ],
    );
  };
  /** `set` applied to the message's row unless an event at or after `position` already was. */
  const update = (messageId: string, position: number, set: string, params: unknown[] = []) =>
    pool.query(`update ${table} set ${set}, pos = $2 where id = $1 and pos < $2`, [messageId, position, ...params]);

  return {
    name: HISTORY_READ_MODEL,
    collections: [],
    async applyBatch(events, ctx) {
      await inRuns(events, isMessageSent, (event) => this.apply(event, ctx), sent);
    },
    async apply(recorded) {
      const event = asDomainEvent(recorded);
      const p = event.position;
      switch (event.type) {
        case 'MessageSent':
          await sent([event]);
          return;
        case 'MessageEdited':
          await update(event.data.messageId, p, `doc = doc || $3::jsonb`, [JSON.stringify(editedJson(event.data))]);
          return;
        case 'MessageDeleted':
          await update(event.data.messageId, p, `deleted = true, doc = doc || $3::jsonb`, [JSON.stringify({ isDeleted: true, deletedAt: new Date(event.data.deletedAt) })]);
          return;
        case 'ReactionAdded':
        case 'ReactionRemoved': {
          const { messageId, emoji, userId } = event.data;
          // Read-modify-write is safe: the lane is this table's only writer, one event at a time.
          const { rows } = await pool.query<{ reactions: StoredReaction[] }>(`select doc->'reactions' as reactions from ${table} where id = $1 and pos < $2`, [messageId, p]);
          const [row] = rows;
          if (!row) return;
          const reactions = reacted(row.reactions, emoji, userId, event.type === 'ReactionAdded');
          await update(messageId, p, `doc = jsonb_set(doc, '{reactions}', $3::jsonb)`, [JSON.stringify(reactions)]);
          return;
        }
        case 'MessagePinned':
          await update(event.data.messageId, p, `doc = doc || $3::jsonb`, [JSON.stringify({ pinned: true, pinnedAt: new Date(event.data.pinnedAt) })]);
          return;
        case 'MessageUnpinned':
          await update(event.data.messageId, p, `doc = (doc || '{"pinned": false}') - 'pinnedAt'`);
          return;
        default:
          return;
      }
    },
  };
}

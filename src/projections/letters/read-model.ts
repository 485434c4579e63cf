import { ObjectId, type Document } from 'mongodb';
import type { CourseEvent } from '../../commands/course/events.ts';
import { withoutAnswers } from '../../commands/course/public.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

/** A letter's `_id`: derived from its number, so the document is the same however often it is rebuilt. */
const letterObjectId = (letterId: number) => new ObjectId(letterId.toString(16).padStart(24, '0'));

type LetterVersion = Extract<CourseEvent, { type: 'LetterPublished' | 'LetterRevised' }>['data'];

/** The seed's fields of a letter at one version (quiz answers left out: clients read this collection). */
function letterFields(d: LetterVersion): Document {
  return {
    id: d.letterId,
    title: d.title,
    content: d.content,
    book: d.book,
    order: d.order,
    assignments: withoutAnswers(d.assignments),
    prerequisites: d.prerequisites,
    unlocks: d.unlocks,
    estimatedReadTime: d.estimatedReadTime,
    isUnlocked: d.prerequisites.length === 0,
    revision: d.revision,
    updatedAt: new Date(d.at),
  };
}

/**
 * The seed's `letters` collection, from the `course` stream: one document per letter ever published (`_id` from its
 * number), with every seed field. The seed's `isUnlocked` is what a newcomer sees: true for a letter without
 * prerequisites (what one user sees is decided per user, from their completed letters, when they read). Beyond the
 * seed: `revision`, and `retiredAt` on a retired letter (readers skip it; republishing clears it). Quiz answers
 * are never stored here. Every write is guarded by the event's position.
 */
export const lettersReadModel: ReadModel = {
  name: 'letters',
  collections: [
    {
      name: 'letters',
      indexes: [{ key: { id: 1 }, options: { unique: true } }, { key: { book: 1, order: 1 } }, { key: { isUnlocked: 1 } }],
    },
  ],
  async apply(recorded: RecordedEvent, ctx) {
    const letters = ctx.collection('letters');
    const event = asDomainEvent(recorded);
    const p = event.position;
    switch (event.type) {
      case 'LetterPublished': {
        const at = new Date(event.data.at);
        const set = { ...letterFields(event.data), createdAt: at };
        await updateGuarded(letters, { _id: letterObjectId(event.data.letterId) }, { $set: set, $unset: { retiredAt: '' } }, p, { upsert: true });
        return;
      }
      case 'LetterRevised':
        await updateGuarded(letters, { _id: letterObjectId(event.data.letterId) }, { $set: letterFields(event.data) }, p);
        return;
      case 'LetterRetired': {
        const at = new Date(event.data.at);
        await updateGuarded(letters, { _id: letterObjectId(event.data.letterId) }, { $set: { retiredAt: at, updatedAt: at } }, p);
        return;
      }
    }
  },
};

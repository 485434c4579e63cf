import { idSchema } from '../../events/ids.ts';
import { ruleBroken } from '../errors.ts';
import type { CommandHandler } from '../handler.ts';
import { attachmentDecider, attachmentStream, toMessageAttachment } from './decide.ts';
import type { MessageAttachment } from './events.ts';

export type { MessageAttachment } from './events.ts';
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/**
 * For the messages module: turns the attachment ids a message is sent with into the seed's MessageAttachment
 * entries, in the order given. Every id must name an uploaded attachment of `uploaderId` (422
 * `attachment_not_found` / `attachment_not_owned`, with the id in `details`); at most 10, no repeats
 * (422 `too_many_attachments` / `duplicate_attachment`). Reads the event store (the attachment aggregates),
 * never a read model, so it is exact right after the upload.
 */
export async function resolveAttachments(
  { commands }: { commands: CommandHandler },
  uploaderId: string,
  ids: string[],
): Promise<MessageAttachment[]> {
  if (ids.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw ruleBroken('too_many_attachments', `a message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`, {
      max: MAX_ATTACHMENTS_PER_MESSAGE,
    });
  }
  const seen = new Set<string>();
  for (const attachmentId of ids) {
    if (seen.has(attachmentId)) throw ruleBroken('duplicate_attachment', `attachment ${attachmentId} is listed twice`, { attachmentId });
    seen.add(attachmentId);
  }
  const loaded = await Promise.all(
    ids.map(async (attachmentId) => {
      if (!idSchema.safeParse(attachmentId).success) return { attachmentId, attachment: null };
      const { state } = await commands.load(attachmentStream(attachmentId), attachmentDecider);
      return { attachmentId, attachment: state.attachment };
    }),
  );
  return loaded.map(({ attachmentId, attachment }) => {
    if (!attachment) {
      const shown = String(attachmentId).slice(0, 64);
      throw ruleBroken('attachment_not_found', `attachment ${shown} not found`, { attachmentId: shown });
    }
    if (attachment.uploaderId !== uploaderId) {
      throw ruleBroken('attachment_not_owned', `attachment ${attachmentId} was uploaded by someone else`, { attachmentId });
    }
    return toMessageAttachment(attachment);
  });
}

import type { Decider } from '../decider.ts';
import { conflict } from '../errors.ts';
import type { AttachmentCommand } from './commands.ts';
import type { AttachmentEvent, AttachmentUploaded, MessageAttachment } from './events.ts';
import { evolveAttachment, initialAttachmentState, type AttachmentState } from './state.ts';

export type { AttachmentCommand } from './commands.ts';

export const attachmentDecider: Decider<AttachmentCommand, AttachmentState, AttachmentEvent> = {
  initialState: initialAttachmentState,
  evolve: evolveAttachment,
  decide(command, state) {
    switch (command.type) {
      case 'RecordUpload': {
        if (state.attachment) throw conflict('already_exists', `attachment ${command.attachmentId} already exists`);
        const { type: _, at, width, height, ...data } = command;
        const dimensions = width !== undefined && height !== undefined ? { width, height } : {};
        return [{ type: 'AttachmentUploaded', data: { ...data, ...dimensions, uploadedAt: at } }];
      }
    }
  },
};

export const attachmentStream = (attachmentId: string) => `attachment-${attachmentId}`;

/** Where an attachment is downloaded from: `/v1/attachments/<id>/<filename>`, the filename percent-encoded. */
export const attachmentUrl = (attachmentId: string, filename: string) =>
  `/v1/attachments/${attachmentId}/${encodeURIComponent(filename)}`;

export function toMessageAttachment(a: AttachmentUploaded): MessageAttachment {
  return {
    id: a.attachmentId,
    filename: a.filename,
    url: attachmentUrl(a.attachmentId, a.filename),
    size: a.size,
    contentType: a.contentType,
    ...(a.width !== undefined && { width: a.width }),
    ...(a.height !== undefined && { height: a.height }),
  };
}

import type { AttachmentEvent, AttachmentUploaded } from './events.ts';

/** An attachment: nothing until its file is stored and AttachmentUploaded recorded; immutable afterwards. */
export interface AttachmentState {
  attachment: AttachmentUploaded | null;
}

export const initialAttachmentState: AttachmentState = { attachment: null };

export function evolveAttachment(_state: AttachmentState, event: AttachmentEvent): AttachmentState {
  switch (event.type) {
    case 'AttachmentUploaded':
      return { attachment: event.data };
  }
}

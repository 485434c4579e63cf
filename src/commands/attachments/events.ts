import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';

const dimension = z.number().int().positive();

export const attachmentEventSchemas = {
  AttachmentUploaded: z.object({
    attachmentId: idSchema,
    uploaderId: idSchema,
    /** Sanitised: a base name of 1-255 characters without control characters or path separators. */
    filename: z.string().min(1).max(255),
    size: z.number().int().nonnegative(),
    /** Sniffed from the bytes, never taken from the client. */
    contentType: z.string().min(3).max(255),
    width: dimension.optional(),
    height: dimension.optional(),
    blobKey: z.string().min(1).max(512),
    uploadedAt: isoDate,
  }),
} as const;

export type AttachmentUploaded = z.infer<typeof attachmentEventSchemas.AttachmentUploaded>;
export type AttachmentEvent = { type: 'AttachmentUploaded'; data: AttachmentUploaded };

/** The seed's MessageAttachment (spec/database-schema.md), as a message carries it. */
export const messageAttachmentSchema = z.object({
  id: idSchema,
  filename: z.string().min(1).max(255),
  url: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  width: dimension.optional(),
  height: dimension.optional(),
  duration: z.number().nonnegative().optional(),
});
export type MessageAttachment = z.infer<typeof messageAttachmentSchema>;

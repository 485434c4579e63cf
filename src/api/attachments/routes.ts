import { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition, imageDimensions, sanitizeFilename, servedContentType, sniffContentType } from '../../commands/attachments/content.ts';
import { attachmentDecider, attachmentStream, toMessageAttachment } from '../../commands/attachments/decide.ts';
import { messageAttachmentSchema } from '../../commands/attachments/events.ts';
import { AppError, badRequest, notFound } from '../../commands/errors.ts';
import { idFor } from '../../commands/request-ids.ts';
import { idSchema } from '../../events/ids.ts';
import { findUnstorableText } from '../../events/storable-text.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { unstorableTextError } from '../../http/text-guard.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { mayDownload } from './access.ts';

/** An uploaded file as a message carries it (`url` is where it is downloaded). */
const attachmentSchema = messageAttachmentSchema.omit({ duration: true }).meta({ id: 'Attachment' });
/** The file itself, in its own content type. */
const fileSchema = z.custom<Readable>().meta({ description: 'the file', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } });

/** Room for the multipart framing around the file when judging a declared Content-Length. */
const MULTIPART_OVERHEAD = 64 * 1024;
export const UPLOAD_RATE_LIMIT = { limit: 30, windowSeconds: 60 };

// The rest of an oversized body is never read: the connection is closed instead of drained.
const payloadTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `the file is larger than the limit of ${maxBytes} bytes`, { maxBytes }, { connection: 'close' });

/**
 * POST /attachments (multipart/form-data, one file field `file`) stores the file, then records
 * AttachmentUploaded; GET /attachments/:id/:filename serves it back. Both need a signed-in user.
 */
export const attachmentRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const maxBytes = services.config.ATTACHMENT_MAX_BYTES;
  // Registered inside this plugin, so multipart bodies are accepted by these routes only.
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    // One byte over the limit reaches readFile, which stops there; at exactly the limit busboy would go silent
    // and skip the rest of the file before telling anyone.
    limits: { fileSize: maxBytes + 1, files: 1, fields: 16, fieldSize: 4096, fieldNameSize: 100, parts: 17, headerPairs: 64 },
  });

  app.post(
    '/attachments',
    {
      config: { rateLimit: UPLOAD_RATE_LIMIT },
      // Before the body is touched (and before the handler's work): a declared size over the limit is refused at once.
      onRequest: async (request) => {
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) throw payloadTooLarge(maxBytes);
      },
      schema: {
        tags: ['attachments'],
        consumes: ['multipart/form-data'],
        response: responses({ 201: attachmentSchema }),
      },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      if (!request.isMultipart()) throw badRequest('send the file as multipart/form-data, in one file field named `file`');

      const upload = await readUpload(request, maxBytes);
      if (upload.data.length === 0) throw badRequest('the file is empty');
      const contentType = await sniffContentType(upload.data);
      const filename = sanitizeFilename(upload.filename);
      const dimensions = imageDimensions(upload.data, contentType);
      const attachmentId = idFor(commandContext(request));
      const blobKey = `attachments/${attachmentId}`;

      // The blob first: an accepted upload must never be an event pointing at nothing.
      await services.blobs.put(blobKey, upload.data, contentType);
      let result;
      try {
        result = await services.commands.execute(
          attachmentStream(attachmentId),
          attachmentDecider,
          {
            type: 'RecordUpload',
            attachmentId,
            uploaderId: userId,
            filename,
            size: upload.data.length,
            contentType,
            ...dimensions,
            blobKey,
            at: new Date().toISOString(),
          },
          commandContext(request),
          { expected: 'no_stream' },
        );
      } catch (error) {
        // Only a refusal proves nothing was appended; after any other failure the event may have been written,
        // so the blob stays (an orphan blob is harmless, a dangling event is not).
        if (error instanceof AppError) await services.blobs.delete(blobKey).catch(() => undefined);
        else request.log.warn({ err: error, blobKey }, 'attachment append failed; blob kept in case it was recorded');
        throw error;
      }
      const attachment = toMessageAttachment(result.state.attachment!);
      setEventPosition(reply, result.position);
      return reply.status(201).header('location', attachment.url).send(attachment);
    },
  );

  // The filename is matched as a wildcard: a route parameter would be cut at find-my-way's 100-character limit,
  // and a percent-encoded 255-character name is far longer.
  app.get(
    '/attachments/:attachmentId/*',
    { schema: { tags: ['attachments'], params: z.object({ attachmentId: z.string(), '*': z.string() }), response: responses({ 200: fileSchema, 304: noContent }, 404) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { attachmentId, '*': filename } = request.params;
      if (!idSchema.safeParse(attachmentId).success) throw notFound('attachment');
      const { state } = await services.commands.load(attachmentStream(attachmentId), attachmentDecider);
      const attachment = state.attachment;
      if (!attachment || attachment.filename !== filename) throw notFound('attachment');
      if (!(await mayDownload(services, attachment, userId))) throw notFound('attachment');

      const etag = `"${attachment.attachmentId}"`;
      const caching = { etag, 'cache-control': 'private, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' };
      if (request.headers['if-none-match'] === etag) return reply.headers(caching).status(304).send();
      const served: Record<string, string> = {
        ...caching,
        'content-type': servedContentType(attachment.contentType),
        'content-disposition': contentDisposition(attachment.contentType, attachment.filename),
      };
      // No script, no plugins, no same-origin powers even if a browser renders the file. (A PDF is rendered by the
      // browser's viewer, not as a page, and Chrome's viewer does not run under a sandbox policy.)
      if (attachment.contentType !== 'application/pdf') served['content-security-policy'] = "default-src 'none'; sandbox";
      if (request.method === 'HEAD') {
        // Answered from the event: fastify would otherwise read the whole blob only to discard it.
        return reply.headers({ ...served, 'content-length': String(attachment.size) }).send(Readable.from([]));
      }

      const blob = await services.blobs.get(attachment.blobKey);
      if (!blob) {
        request.log.error({ attachmentId, blobKey: attachment.blobKey }, 'attachment recorded but its blob is missing');
        throw notFound('attachment');
      }
      return reply.headers({ ...served, 'content-length': String(blob.size) }).send(blob.stream);
    },
  );
};

/** Reads the one file part named `file` into memory (bounded by the size limit); other text fields are ignored. */
async function readUpload(request: FastifyRequest, maxBytes: number): Promise<{ filename: string; data: Buffer }> {
  let upload: { filename: string; data: Buffer } | null = null;
  try {
    for await (const part of request.parts()) {
      const named = { [part.fieldname]: part.type === 'file' ? { filename: part.filename } : part.value };
      const unstorable = findUnstorableText(named, 'body');
      if (unstorable) throw unstorableTextError(unstorable);
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') throw badRequest(`unexpected file field \`${part.fieldname}\`: send the file in a field named \`file\``);
      upload = { filename: part.filename, data: await readFile(part.file, maxBytes) };
    }
  } catch (error) {
    throw multipartError(error, maxBytes);
  }
  if (!upload) throw badRequest('a file field named `file` is required');
  return upload;
}

/** The file's bytes, or a 413 as soon as they pass `maxBytes` (multipart's toBuffer would read the request to its end). */
async function readFile(file: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file) {
    size += chunk.length;
    if (size > maxBytes) throw payloadTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function multipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof AppError) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return payloadTooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT') return badRequest('send exactly one file, in a field named `file`');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return badRequest('too many form fields');
  // Anything else while parsing (no boundary, truncated body, prototype-polluting field names) is bad input.
  return badRequest(`malformed multipart body: ${message ?? 'unreadable'}`);
}

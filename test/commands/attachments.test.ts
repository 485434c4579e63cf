import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  imageDimensions,
  isInlineSafe,
  sanitizeFilename,
  servedContentType,
  sniffContentType,
} from '../../src/commands/attachments/content.ts';
import { attachmentDecider, attachmentStream, attachmentUrl, type AttachmentCommand } from '../../src/commands/attachments/decide.ts';
import type { AttachmentEvent } from '../../src/commands/attachments/events.ts';
import { resolveAttachments } from '../../src/commands/attachments/resolve.ts';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { AppError } from '../../src/commands/errors.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { newId } from '../../src/events/ids.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { gifHeader, jpegHeader, png } from '../blobs/files.ts';
import { given } from '../support/decider.ts';

const alice = newId();
const bob = newId();
const at = '2024-05-01T12:00:00.000Z';

function record(overrides: Partial<AttachmentCommand> = {}): AttachmentCommand {
  const attachmentId = overrides.attachmentId ?? newId();
  return {
    type: 'RecordUpload',
    attachmentId,
    uploaderId: alice,
    filename: 'pixel.png',
    size: 86,
    contentType: 'image/png',
    width: 3,
    height: 2,
    blobKey: `attachments/${attachmentId}`,
    at,
    ...overrides,
  };
}

const uploaded = (command: AttachmentCommand): AttachmentEvent => {
  const { type: _, at: uploadedAt, ...data } = command;
  return { type: 'AttachmentUploaded', data: { ...data, uploadedAt } };
};

describe('attachment decider', () => {
  it('given nothing, when an upload is recorded, then AttachmentUploaded with every field', () => {
    const command = record();
    given(attachmentDecider).when(command).then([
      {
        type: 'AttachmentUploaded',
        data: {
          attachmentId: command.attachmentId,
          uploaderId: alice,
          filename: 'pixel.png',
          size: 86,
          contentType: 'image/png',
          width: 3,
          height: 2,
          blobKey: `attachments/${command.attachmentId}`,
          uploadedAt: at,
        },
      },
    ]);
  });

  it('records no dimensions for a file that has none, nor half of a pair', () => {
    given(attachmentDecider)
      .when(record({ contentType: 'text/plain', width: undefined, height: undefined }))
      .then((events) => expect(Object.keys(events[0]!.data)).not.toContain('width'));
    given(attachmentDecider)
      .when(record({ height: undefined }))
      .then((events) => expect(events[0]!.data).not.toHaveProperty('width'));
  });

  it('given an upload, when it is recorded again, then 409 already_exists (an attachment is immutable)', () => {
    const command = record();
    given(attachmentDecider, [uploaded(command)]).when(command).thenFails(409, 'already_exists');
  });

  it('folds AttachmentUploaded into the state', () => {
    const command = record();
    expect(given(attachmentDecider, [uploaded(command)]).state.attachment).toEqual(uploaded(command).data);
    expect(given(attachmentDecider).state.attachment).toBeNull();
  });

  it('names its stream attachment-<id> and its URL /v1/attachments/<id>/<encoded filename>', () => {
    expect(attachmentStream('abc')).toBe('attachment-abc');
    expect(attachmentUrl('abc', 'a b/c?.txt')).toBe('/v1/attachments/abc/a%20b%2Fc%3F.txt');
  });
});

describe('content sniffing (the bytes decide, never the client)', () => {
  const text = (s: string) => Buffer.from(s, 'utf8');
  it.each([
    ['a PNG', png(3, 2), 'image/png'],
    ['a JPEG', jpegHeader(10, 10), 'image/jpeg'],
    ['a GIF', gifHeader(1, 1), 'image/gif'],
    ['a PDF', text('%PDF-1.7\n%\xe2\xe3\n1 0 obj\n'), 'application/pdf'],
    ['UTF-8 text', text('héllo wörld\n'), 'text/plain'],
    ['UTF-8 text with a BOM', text('\ufeffnotes'), 'text/plain'],
    ['JavaScript (just text)', text('alert(document.cookie)'), 'text/plain'],
    ['text that merely mentions a tag later', text('see <b>this</b>'), 'text/plain'],
    ['HTML', text('<!DOCTYPE html><html><script>alert(1)</script>'), 'text/html'],
    ['HTML after whitespace and a BOM, any case', text('\ufeff \n\t<ScRiPt>alert(1)</script>'), 'text/html'],
    ['an HTML fragment', text('<div onclick="x()">hi</div>'), 'text/html'],
    ['a tag split over lines', text('<iframe\nsrc="javascript:alert(1)">'), 'text/html'],
    ['a word that starts like a tag', text('<body-text> is not a tag'), 'text/plain'],
    ['an HTML comment', text('<!-- generated -->\n<p>x</p>'), 'text/html'],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
    ['SVG with an XML prolog', text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'],
    ['XHTML', text('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'), 'application/xhtml+xml'],
    ['other XML', text('<?xml version="1.0"?><feed/>'), 'application/xml'],
    ['text with a NUL byte', Buffer.from([0x61, 0x00, 0x62]), 'application/octet-stream'],
    ['invalid UTF-8', Buffer.from([0xc3, 0x28, 0xff, 0xfe]), 'application/octet-stream'],
  ])('%s → %s', async (_name, data, expected) => {
    expect(await sniffContentType(data)).toBe(expected);
  });
});

describe('serving policy', () => {
  it('lets raster images, video, audio, PDF and plain text be shown inline; never markup or scripts', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'video/mp4', 'audio/mpeg', 'application/pdf', 'text/plain']) {
      expect(isInlineSafe(type), type).toBe(true);
    }
    const never = ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'application/xml', 'text/javascript', 'application/javascript'];
    for (const type of [...never, 'application/octet-stream', 'application/zip', 'application/x-msdownload']) {
      expect(isInlineSafe(type), type).toBe(false);
    }
  });

  it('serves text with the charset that sniffing verified', () => {
    expect(servedContentType('text/plain')).toBe('text/plain; charset=utf-8');
    expect(servedContentType('image/png')).toBe('image/png');
  });

  it('writes Content-Disposition per RFC 6266: an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('image/png', 'cat.png')).toBe(`inline; filename="cat.png"; filename*=UTF-8''cat.png`);
    expect(contentDisposition('text/html', 'page.html')).toMatch(/^attachment; /);
    expect(contentDisposition('text/plain', 'résumé "v2" 100%.txt')).toBe(
      `inline; filename="r_sum_ _v2_ 100_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22%20100%25.txt`,
    );
    expect(contentDisposition('text/plain', "it's (1)*.txt")).toContain(`filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });
});

describe('filename sanitising', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['/absolute/path/', 'file'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['   spaced.txt  ', 'spaced.txt'],
    ['bell\u0007tab\tnew\nline.txt', 'belltabnewline.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['cafe\u0301.txt', 'café.txt'],
    ['.env', '.env'],
    ['lone\ud800surrogate.txt', 'lonesurrogate.txt'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFilename(raw)).toBe(expected);
  });

  it('cuts long names to 255 characters, keeping the extension and never splitting a character', () => {
    const long = sanitizeFilename(`${'a'.repeat(300)}.jpeg`);
    expect(long).toHaveLength(255);
    expect(long.endsWith('a.jpeg')).toBe(true);
    const emoji = sanitizeFilename(`${'📄'.repeat(200)}.txt`);
    expect(emoji.length).toBeLessThanOrEqual(255);
    expect(emoji.endsWith('📄.txt')).toBe(true);
    expect(emoji).toBe(emoji.normalize()); // still well-formed
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji)).toBe(false);
    expect(sanitizeFilename('b'.repeat(400))).toBe('b'.repeat(255));
  });
});

describe('image dimensions', () => {
  it('reads width and height from PNG, JPEG and GIF headers', () => {
    expect(imageDimensions(png(3, 2), 'image/png')).toEqual({ width: 3, height: 2 });
    expect(imageDimensions(jpegHeader(640, 480), 'image/jpeg')).toEqual({ width: 640, height: 480 });
    expect(imageDimensions(gifHeader(5, 4), 'image/gif')).toEqual({ width: 5, height: 4 });
  });

  it('has none for non-images, SVG, and images whose header cannot be read', () => {
    expect(imageDimensions(Buffer.from('hello'), 'text/plain')).toBeUndefined();
    expect(imageDimensions(Buffer.from('<svg width="10" height="10"/>'), 'image/svg+xml')).toBeUndefined();
    expect(imageDimensions(png(3, 2).subarray(0, 12), 'image/png')).toBeUndefined();
  });
});

describe('resolveAttachments (over the in-memory event store)', () => {
  const store = new MemoryEventStore();
  const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
  const context = { actorId: alice, correlationId: 'c', causationId: 'c' };
  const upload = async (overrides: Partial<AttachmentCommand> = {}) => {
    const command = record(overrides);
    await commands.execute(attachmentStream(command.attachmentId), attachmentDecider, command, context, { expected: 'no_stream' });
    return command;
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    const { status, code, details } = error as AppError;
    return { status, code, details };
  };

  it("returns the seed's MessageAttachment of each id, in the order given", async () => {
    const image = await upload();
    const doc = await upload({ filename: 'notes 1.txt', contentType: 'text/plain', size: 5, width: undefined, height: undefined });
    expect(await resolveAttachments({ commands }, alice, [doc.attachmentId, image.attachmentId])).toEqual([
      { id: doc.attachmentId, filename: 'notes 1.txt', url: `/v1/attachments/${doc.attachmentId}/notes%201.txt`, size: 5, contentType: 'text/plain' },
      {
        id: image.attachmentId,
        filename: 'pixel.png',
        url: `/v1/attachments/${image.attachmentId}/pixel.png`,
        size: 86,
        contentType: 'image/png',
        width: 3,
        height: 2,
      },
    ]);
    expect(await resolveAttachments({ commands }, alice, [])).toEqual([]);
  });

  it("refuses someone else's attachment with 422 attachment_not_owned", async () => {
    const mine = await upload();
    const theirs = await upload({ uploaderId: bob });
    expect(await refusal(resolveAttachments({ commands }, alice, [mine.attachmentId, theirs.attachmentId]))).toEqual({
      status: 422,
      code: 'attachment_not_owned',
      details: { attachmentId: theirs.attachmentId },
    });
  });

  it('refuses unknown and malformed ids with 422 attachment_not_found', async () => {
    const unknown = newId();
    expect(await refusal(resolveAttachments({ commands }, alice, [unknown]))).toEqual({
      status: 422,
      code: 'attachment_not_found',
      details: { attachmentId: unknown },
    });
    expect((await refusal(resolveAttachments({ commands }, alice, ['../../x']))).code).toBe('attachment_not_found');
  });

  it('takes at most 10, each once', async () => {
    const ten = await Promise.all(Array.from({ length: 10 }, () => upload()));
    const ids = ten.map((c) => c.attachmentId);
    expect(await resolveAttachments({ commands }, alice, ids)).toHaveLength(10);
    expect((await refusal(resolveAttachments({ commands }, alice, [...ids, newId()]))).code).toBe('too_many_attachments');
    expect((await refusal(resolveAttachments({ commands }, alice, [ids[0]!, ids[0]!]))).code).toBe('duplicate_attachment');
  });
});

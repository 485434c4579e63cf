import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';

/**
 * What an uploaded file is, decided from its bytes alone (the client's claimed type is never used):
 * 1. file-type's magic-number detection (images, video, audio, PDF, archives, executables, XML, ...);
 * 2. otherwise valid UTF-8 without NUL bytes is text: markup a browser would render (HTML, SVG, XHTML, XML) is
 *    labelled as such, anything else is text/plain;
 * 3. otherwise application/octet-stream.
 */
export async function sniffContentType(data: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(data);
  if (detected) return detected.mime === 'application/xml' ? xmlFlavour(data) : detected.mime;
  if (data.length === 0 || (isUtf8(data) && !data.includes(0))) return markupType(data) ?? 'text/plain';
  return 'application/octet-stream';
}

const WHITESPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);
// The HTML signatures of the WHATWG MIME Sniffing standard (§7.1). The standard wants a space or `>` after each;
// any whitespace or `/` is accepted here too (and anything after `<!--`): erring this way only means a download.
const HTML_SIGNATURES = [
  '<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B',
  '<BODY', '<BR', '<P', '<!--',
];

function markupType(data: Buffer): string | null {
  let start = data.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
  while (start < data.length && WHITESPACE.has(data[start]!)) start++;
  const head = data.subarray(start, start + 1024).toString('utf8');
  const upper = head.toUpperCase();
  for (const signature of HTML_SIGNATURES) {
    const next = upper.charAt(signature.length);
    if (upper.startsWith(signature) && (/^[\s/>]$/.test(next) || (signature === '<!--' && next !== ''))) return 'text/html';
  }
  if (upper.startsWith('<?XML') || upper.startsWith('<SVG')) return xmlFlavour(data);
  return null;
}

function xmlFlavour(data: Buffer): string {
  const head = data.subarray(0, 4096).toString('utf8');
  if (/<svg[\s>/]/i.test(head)) return 'image/svg+xml';
  if (/<html[\s>/]/i.test(head)) return 'application/xhtml+xml';
  return 'application/xml';
}

/**
 * Types a browser may show in the page itself: raster images (never SVG, which carries script), video, audio,
 * PDF and plain text. Everything else, above all HTML, SVG, XHTML, XML and JavaScript, is only ever served with
 * `Content-Disposition: attachment` (plus `X-Content-Type-Options: nosniff` and a sandboxing CSP).
 */
export function isInlineSafe(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('image/')) return !type.includes('svg') && !type.endsWith('+xml');
  return type.startsWith('video/') || type.startsWith('audio/') || type === 'application/pdf' || type === 'text/plain';
}

/** The Content-Type a download is served with: what was sniffed, with the charset we verified for text. */
export function servedContentType(contentType: string): string {
  return contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType;
}

/** `inline` or `attachment`, with an ASCII fallback filename and the exact one in RFC 5987 form (RFC 6266). */
export function contentDisposition(contentType: string, filename: string): string {
  const disposition = isInlineSafe(contentType) ? 'inline' : 'attachment';
  // One `_` per character (code point, hence the u flag) that is not printable ASCII, or is a quote, backslash or percent sign.
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

const MAX_FILENAME = 255;
// C0 and C1 controls, DEL, bidirectional overrides and isolates (they disguise extensions: "txt.exe"), BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The name an attachment is stored and served under: the client's base name (whatever came after the last `/`
 * or `\`), NFC-normalised, without control or bidi characters, trimmed, at most 255 characters (the end cut
 * from the stem so the extension survives, never splitting a character). Empty, `.` and `..` become `file`.
 */
export function sanitizeFilename(raw: string | undefined): string {
  let name = (raw ?? '').replace(LONE_SURROGATE, '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(UNSAFE, '').trim();
  if (name === '' || /^\.+$/.test(name)) return 'file';
  if (name.length <= MAX_FILENAME) return name;
  const extension = /\.[^.\s]{1,16}$/.exec(name)?.[0] ?? '';
  // The longest run of whole characters (code points) from the start that leaves room for the extension.
  let stem = '';
  for (const char of name.slice(0, name.length - extension.length)) {
    if (stem.length + char.length + extension.length > MAX_FILENAME) break;
    stem += char;
  }
  return (stem.trimEnd() || 'file') + extension;
}

/** Width and height of a raster image as displayed (EXIF orientations 5-8 swap them), read from its header. */
export function imageDimensions(data: Buffer, contentType: string): { width: number; height: number } | undefined {
  if (!contentType.startsWith('image/') || !isInlineSafe(contentType)) return undefined;
  try {
    const size = imageSize(data);
    const rotated = size.orientation !== undefined && size.orientation >= 5 && size.orientation <= 8;
    const width = rotated ? size.height : size.width;
    const height = rotated ? size.width : size.height;
    if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) return undefined;
    return { width, height };
  } catch {
    // A file whose magic number says image but whose header cannot be read: stored without dimensions.
    return undefined;
  }
}

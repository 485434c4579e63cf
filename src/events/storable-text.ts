/**
 * Text no store of ours can hold: NUL (PostgreSQL's jsonb and text refuse it, FerretDB fails on it) and UTF-16
 * surrogates that are not half of a pair (they have no UTF-8 encoding). Such text is refused where it enters
 * (HTTP requests, gateway frames, Stripe webhooks), so it never reaches a command.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE = 'text may not contain NUL (U+0000) or an unpaired surrogate (U+D800-U+DFFF)';

export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

/** Objects and arrays, whatever their prototype (parsed params and queries have bare ones); not binary data. */
const isContainer = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);

interface Visit {
  value: unknown;
  key: string;
  parent: Visit | null;
}

/** Built only for the one value reported: building every visited value's path would cost O(depth²). */
function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

/**
 * The path (`root.key.0.key`) of a string, value or object key, in a parsed JSON-like value that is not storable
 * text, or null when there is none. Binary data (Buffers) is not looked into. Iterative with an explicit stack, so a
 * deeply nested body cannot overflow the call stack; linear in the size of the value.
 */
export function findUnstorableText(value: unknown, root: string): string | null {
  const pending: Visit[] = [{ value, key: root, parent: null }];
  const seen = new WeakSet<object>();
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return pathOf(visit);
      continue;
    }
    if (!isContainer(current) || seen.has(current)) continue;
    seen.add(current);
    for (const [key, child] of Object.entries(current)) {
      const childVisit = { value: child, key, parent: visit };
      if (!isStorableText(key)) return pathOf(childVisit);
      pending.push(childVisit);
    }
  }
  return null;
}

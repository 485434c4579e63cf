/**
 * A strict RFC 4180 parser for tests: CRLF line ends, fields quoted with doubled quotes inside, every record with as
 * many fields as the header. Throws on anything else (a bare quote, a lone CR or LF, a ragged record).
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`CSV at offset ${i}: ${why}`);
  };
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('a quote inside an unquoted field');
        value += text[i];
        i += 1;
      }
    }
    record.push(value);
    if (text[i] === ',') {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      i += 2;
      records.push(record);
      record = [];
    } else if (i < text.length) {
      fail('a line end other than CRLF');
    } else {
      fail('the last record has no CRLF');
    }
  }
  for (const r of records) if (r.length !== records[0]!.length) throw new Error(`a record of ${r.length} fields under a header of ${records[0]!.length}`);
  return records;
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Cases tried per subject (a route, a gateway case) and the answers by status or close code. */
export class Tally {
  private readonly counts = new Map<string, Map<number, number>>();

  count(subject: string, answer: number): void {
    const answers = this.counts.get(subject) ?? new Map<number, number>();
    answers.set(answer, (answers.get(answer) ?? 0) + 1);
    this.counts.set(subject, answers);
  }

  get total(): number {
    return [...this.counts.values()].reduce((sum, answers) => sum + [...answers.values()].reduce((a, b) => a + b, 0), 0);
  }

  /** A markdown table: subject, cases, answers (`status×count`, by status). */
  table(subjectHeading: string, answerHeading: string): string {
    const rows = [...this.counts].sort(([a], [b]) => a.localeCompare(b));
    const lines = [`| ${subjectHeading} | cases | ${answerHeading} |`, '|---|---:|---|'];
    for (const [subject, answers] of rows) {
      const cases = [...answers.values()].reduce((a, b) => a + b, 0);
      const by = [...answers].sort(([a], [b]) => a - b).map(([answer, n]) => `${answer}×${n}`).join(' ');
      lines.push(`| \`${subject}\` | ${cases} | ${by} |`);
    }
    return lines.join('\n');
  }
}

export const RELIABILITY_DOC = new URL('../../../docs/reliability.md', import.meta.url);

/**
 * Replaces the part of docs/reliability.md between `<!-- hostile:<part> -->` and `<!-- /hostile:<part> -->` with
 * `text` (each suite owns one part of the "Hostile input" section), adding the section or the part when missing.
 */
export function writeReliabilityPart(part: string, text: string): void {
  const open = `<!-- hostile:${part} -->`;
  const close = `<!-- /hostile:${part} -->`;
  const block = `${open}\n${text.trim()}\n${close}`;
  let doc = existsSync(RELIABILITY_DOC) ? readFileSync(RELIABILITY_DOC, 'utf8') : '# Reliability\n';
  if (!doc.includes('## Hostile input')) {
    doc = `${doc.trimEnd()}\n\n## Hostile input\n\nWritten by the hostile-input suites when run with \`UPDATE_DOCS=1\`; each figure is one run's.\n`;
  }
  const start = doc.indexOf(open);
  if (start >= 0) {
    const end = doc.indexOf(close, start) + close.length;
    doc = doc.slice(0, start) + block + doc.slice(end);
  } else {
    const section = doc.indexOf('## Hostile input');
    const next = doc.indexOf('\n## ', section + 1);
    const at = next < 0 ? doc.length : next;
    doc = `${doc.slice(0, at).trimEnd()}\n\n${block}\n${doc.slice(at)}`;
  }
  writeFileSync(RELIABILITY_DOC, doc.endsWith('\n') ? doc : `${doc}\n`);
}

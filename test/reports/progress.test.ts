import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/reports/cli/progress.ts';

/** A stand-in for stderr: what was written, and whether it is a terminal. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

describe('the replay progress bar', () => {
  it('on a terminal, redraws one line in place and ends it', () => {
    const { written, stream: s } = stream(true);
    const bar = progressBar(s);
    for (let p = 0; p <= 100_000; p += 25_000) bar.update(p, 100_000);
    bar.end();
    expect(written).toHaveLength(6);
    expect(written.slice(0, 5).every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(written[4]).toMatch(/^\rreplaying \[#{30}\] 100% position 100000\/100000 [\d.]+ s$/);
    expect(written[2]).toMatch(/\[#{15}\.{15}\]  50%/);
    expect(written[5]).toBe('\n');
  });

  it('elsewhere, a line at each tenth; short replays draw nothing', () => {
    const { written, stream: s } = stream(false);
    const bar = progressBar(s);
    for (let p = 0; p <= 100_000; p += 5_000) bar.update(p, 100_000);
    bar.end();
    expect(written.map((w) => w.match(/(\d+)%/)![1])).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    const quiet = stream(false);
    progressBar(quiet.stream).update(500, 1_000);
    expect(quiet.written).toEqual([]);
  });
});

// The HTML report in a real browser: Debian's headless Chromium (/usr/bin/chromium, installed by scripts/chromium.sh)
// opens the self-contained page from a file (no network), takes a screenshot, and the screenshot is checked to show
// something (many colours, the series' own among them); the page's SVG is checked to hold each series' marks.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportRun } from '../../src/reports/engine/replay.ts';
import { financial } from '../../src/reports/financial/accumulator.ts';
import { SERIES_COLORS } from '../../src/reports/formats/charts.ts';
import { renderReport } from '../../src/reports/formats/index.ts';
import { completed, failed, fold, log, pledged, R1, R2, refunded, U1, U2 } from './history.ts';
import { decodePng } from './png.ts';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run "bash scripts/chromium.sh" (apt-get install chromium) first`);
  dir = await mkdtemp(join(tmpdir(), 'rn-report-html-'));
});
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

const history = log(
  pledged('d1', R1, U1, 1000), completed('d1', R1, U1, 1000, 'usd', '2026-03-02T10:00:00Z'),
  pledged('d2', R1, U2, 500), completed('d2', R1, U2, 500, 'usd', '2026-03-09T10:00:00Z'), refunded('d2', R1, U2, 200),
  pledged('d3', R2, U2, 700), failed('d3'),
  pledged('d4', R2, U1, 300, 'eur'), completed('d4', R2, U1, 300, 'eur', '2026-03-16T10:00:00Z'),
);

function runOf(): ReportRun {
  const filters = { bucket: 'week' as const };
  return { report: financial.name, title: financial.title, filters, asOfPosition: history.length, asOfTime: history.at(-1)!.metadata.occurredAt, replay: { fromPosition: 0, events: history.length }, body: fold(financial, history, filters) };
}

/** The chart marks (bars, lines, symbols) of each series in one SVG, by series index. */
function marksPerSeries(svg: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [, index] of svg.matchAll(/<path[^>]*ecmeta_series_index="(\d+)"[^>]*ecmeta_ssr_type="chart"/g)) counts.set(Number(index), (counts.get(Number(index)) ?? 0) + 1);
  return counts;
}

describe('the HTML report in Chromium', () => {
  it('renders its server-side SVG charts with every series, and the screenshot is not blank', async () => {
    const html = [...renderReport(runOf(), 'html', { timeAxis: true })].join('');
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(2);
    // Net revenue per period, one series per currency in order of appearance: usd (two weeks), eur (one week).
    expect([...marksPerSeries(svgs[0]!).entries()].sort()).toEqual([[0, 2], [1, 1]]);
    expect(svgs[0]).toMatch(/>eur<\/text>/);
    expect(svgs[0]).toMatch(/>usd<\/text>/);
    // Payment outcomes per currency: completed, failed, refunds, a bar each per currency.
    expect([...marksPerSeries(svgs[1]!).entries()].sort()).toEqual([[0, 2], [1, 2], [2, 2]]);
    for (const label of ['Completed', 'Failed', 'Refunds']) expect(svgs[1]).toContain(`>${label}</text>`);

    const page = join(dir, 'report.html');
    const shot = join(dir, 'report.png');
    await writeFile(page, html);
    await promisify(execFile)(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1000,900', `--screenshot=${shot}`, `file://${page}`], { timeout: 60_000 });
    const { width, height, channels, pixels } = decodePng(await readFile(shot));
    expect([width, height]).toEqual([1000, 900]);
    const colours = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < pixels.length; i += channels) {
      const rgb = (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
      colours.add(rgb);
      if (rgb !== 0xffffff) nonWhite += 1;
    }
    expect(colours.size).toBeGreaterThan(20);
    expect(nonWhite / (width * height)).toBeGreaterThan(0.02);
    // The bars were painted: the first two series' colours are on screen.
    for (const colour of SERIES_COLORS.slice(0, 2)) expect(colours.has(Number.parseInt(colour.slice(1), 16))).toBe(true);
  }, 90_000);
});

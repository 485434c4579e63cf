import * as echarts from 'echarts';
import type { Chart, Table } from '../engine/accumulator.ts';

/** Series colours, in order: fixed so that a chart's series can be told apart in its SVG. */
export const SERIES_COLORS = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc', '#2f4554'];

/** Most categories on one chart: a longer table is drawn in its first rows (the tables below hold them all). */
const MAX_CATEGORIES = 60;
const MAX_SERIES = SERIES_COLORS.length;

interface Series {
  name: string;
  data: (number | null)[];
}

/**
 * The x values in the table's order; split in series, the rows run series by series, so the values are sorted
 * (numerically when they are all numbers, as weeks after joining are).
 */
function xValues(chart: Chart, table: Table): string[] {
  const values = [...new Set(table.rows.map((row) => row[chart.x]))];
  if (chart.splitBy === undefined) return values.map(String);
  const numeric = values.every((v) => typeof v === 'number');
  return values.sort((a, b) => (numeric ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)).map(String);
}

/** The chart's categories (x values, in the table's order) and series (a column each, or one per `splitBy` value). */
export function chartData(chart: Chart, table: Table): { categories: string[]; series: Series[] } {
  const categories = xValues(chart, table).slice(0, MAX_CATEGORIES);
  const label = (key: string) => table.columns.find((c) => c.key === key)?.label ?? key;
  const valueOf = (cell: unknown) => (typeof cell === 'number' ? cell : null);
  if (chart.splitBy === undefined) {
    const firstRow = new Map(table.rows.map((row) => [String(row[chart.x]), row] as const).reverse());
    return { categories, series: chart.series.slice(0, MAX_SERIES).map((key) => ({ name: label(key), data: categories.map((x) => valueOf(firstRow.get(x)?.[key])) })) };
  }
  const splitBy = chart.splitBy;
  const key = chart.series[0]!;
  const groups = [...new Set(table.rows.map((row) => String(row[splitBy])))].slice(0, MAX_SERIES);
  return {
    categories,
    series: groups.map((group) => {
      const rows = new Map(table.rows.filter((row) => String(row[splitBy]) === group).map((row) => [String(row[chart.x]), row] as const));
      return { name: group, data: categories.map((x) => valueOf(rows.get(x)?.[key])) };
    }),
  };
}

/**
 * ECharts names the SVG's classes and ids after counters of the process (`zr<n>-cls-<m>`); each is renamed after
 * the chart's `index` on its page and its rank of first appearance, so the same report always gives the same bytes
 * and two charts of a page never share a name.
 */
function stableNames(svg: string, index: number): string {
  const names = new Map<string, string>();
  return svg.replace(/\bzr\d+-[A-Za-z]+-?\d*/g, (name) => {
    if (!names.has(name)) names.set(name, `chart${index}-${names.size}`);
    return names.get(name)!;
  });
}

/** The chart as an SVG string, rendered on the server by Apache ECharts (no script, no network). */
export function chartSvg(chart: Chart, table: Table, index: number, size = { width: 900, height: 380 }): string {
  const { categories, series } = chartData(chart, table);
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, ...size });
  try {
    instance.setOption({
      animation: false,
      color: SERIES_COLORS,
      title: { text: chart.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 36, data: series.map((s) => s.name) },
      grid: { top: 80, left: 60, right: 30, bottom: 70 },
      xAxis: { type: 'category', data: categories, axisLabel: { rotate: categories.length > 8 ? 40 : 0 } },
      yAxis: { type: 'value' },
      series: series.map((s) => ({ type: chart.kind, name: s.name, data: s.data, connectNulls: true })),
    });
    return stableNames(instance.renderToSVGString(), index);
  } finally {
    instance.dispose();
  }
}

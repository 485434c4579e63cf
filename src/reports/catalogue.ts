import type { AnyAccumulator } from './engine/accumulator.ts';
import { engagement } from './engagement/accumulator.ts';
import { financial } from './financial/accumulator.ts';
import { retention } from './retention/accumulator.ts';
import { revoltPerformance } from './revolt-performance/accumulator.ts';
import { revoltStatistics } from './revolt-statistics/accumulator.ts';
import { revoltSuccess } from './revolt-success/accumulator.ts';
import { userActivity } from './user-activity/accumulator.ts';
import { userActivityReport } from './user-activity/report-accumulator.ts';

/** Every report analysts may ask for, by name. */
export const REPORTS: readonly AnyAccumulator[] = [revoltStatistics, userActivity, userActivityReport, revoltSuccess, engagement, revoltPerformance, financial, retention];

export const reportNamed = (name: string): AnyAccumulator | undefined => REPORTS.find((report) => report.name === name);

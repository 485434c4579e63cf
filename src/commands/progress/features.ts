import { z } from 'zod';
import { AppError } from '../errors.ts';

/**
 * The gateable features: commands a letter of the course can unlock (its `unlocks`). A feature that some
 * published letter unlocks is refused to users who have completed none of the letters that unlock it; a feature
 * no letter names is open to everyone.
 */
export const FEATURES = ['create_revolt', 'create_invites', 'enable_donations', 'video', 'screen_share'] as const;
export const featureSchema = z.enum(FEATURES);
export type Feature = z.infer<typeof featureSchema>;

/** What the gate needs of the course: its published letters by number (CourseState satisfies it). */
export interface UnlockingCourse {
  letters: ReadonlyMap<number, { unlocks: readonly Feature[] }>;
}

export type FeatureGate = { ok: true } | { ok: false; code: 'feature_locked'; letterId: number };

/**
 * Whether a user who has completed `completedLetters` may use `feature` under `course`: open when no published
 * letter unlocks it or when one of those that do is completed; otherwise locked, naming the lowest-numbered letter
 * that unlocks it.
 */
export function featureGate(course: UnlockingCourse, completedLetters: ReadonlySet<number>, feature: Feature): FeatureGate {
  let lowest: number | null = null;
  for (const [letterId, letter] of course.letters) {
    if (!letter.unlocks.includes(feature)) continue;
    if (completedLetters.has(letterId)) return { ok: true };
    if (lowest === null || letterId < lowest) lowest = letterId;
  }
  return lowest === null ? { ok: true } : { ok: false, code: 'feature_locked', letterId: lowest };
}

/** What a command gated by a feature carries: the course and the acting user's completed letters, as recorded. */
export interface FeatureAccess {
  course: UnlockingCourse;
  completedLetters: ReadonlySet<number>;
}

/** The gate as a rule: 403 `feature_locked` naming the letter that unlocks the feature. */
export function requireFeature(access: FeatureAccess, feature: Feature): void {
  const gate = featureGate(access.course, access.completedLetters, feature);
  if (!gate.ok) throw new AppError(gate.code, `complete letter ${gate.letterId} to unlock ${feature}`, { letterId: gate.letterId, feature });
}

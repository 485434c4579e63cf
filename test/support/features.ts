import type { FeatureAccess } from '../../src/commands/progress/features.ts';

/** A user's standing under a course that gates nothing (no letter unlocks any feature): every gated command is open. */
export const UNGATED: FeatureAccess = { course: { letters: new Map() }, completedLetters: new Set() };

import type { CommandHandler } from '../handler.ts';
import { loadCourse } from '../course/state.ts';
import { progressDecider } from './decide.ts';
import { progressStream } from './events.ts';
import type { FeatureAccess } from './features.ts';

/** Looks up what the feature gate needs for a user (built by the composition root and handed to the routes). */
export type FeatureLookup = (userId: string) => Promise<FeatureAccess>;

/** The course and the user's completed letters as recorded: the write side's streams, never a read model. */
export function featureLookup(commands: Pick<CommandHandler, 'load'>): FeatureLookup {
  return async (userId) => {
    const course = await loadCourse(commands);
    const { state } = await commands.load(progressStream(userId), progressDecider);
    return { course, completedLetters: state.completed };
  };
}

import type { AnyReactor } from '../../src/reactors/reactor.ts';
import { VOICE, voiceScene } from '../commands/voice-scene.ts';
import { eachTest } from '../support/each-test.ts';
import { reactorEnv } from './support.ts';

/**
 * For a describe of a voice reactor: per test a reactor environment and a voice scene with `present` in the voice
 * channel (the environment cleaned up after it); `engine()` runs `reactor` on the scene's store.
 */
export function voiceReactorSuite(reactor: AnyReactor, ...present: string[]) {
  const t = eachTest(
    async () => {
      const env = await reactorEnv();
      const scene = await voiceScene();
      for (const userId of present) await scene.voice.join(userId, VOICE);
      return { env, scene };
    },
    ({ env }) => env.cleanup(),
  );
  const engine = () => t.env.reactorEngine({ store: t.scene.store, reactors: [reactor], commands: t.scene.commands, catalogue: t.scene.catalogue });
  return Object.assign(t, { engine });
}

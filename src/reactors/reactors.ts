import type { Reactor } from './reactor.ts';

/** The reactors the composition root runs, each in its own lane. */
export const reactors: readonly Reactor[] = [];

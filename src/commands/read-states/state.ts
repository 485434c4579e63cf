import type { ReadStateEvent } from './events.ts';

/** One reader's acks: the last message read per channel. */
export interface ReadStatesState {
  acks: ReadonlyMap<string, string>;
}

export const initialReadStatesState: ReadStatesState = { acks: new Map() };

/** Copy-on-write: states handed out by the handler's cache are never mutated. */
export function evolveReadStates(state: ReadStatesState, event: ReadStateEvent): ReadStatesState {
  return { acks: new Map(state.acks).set(event.data.channelId, event.data.messageId) };
}

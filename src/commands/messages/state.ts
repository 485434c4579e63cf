import type { MessageEvent, MessageSentData, PinEvent } from './events.ts';

/** What other aggregates' rules need to know of a message (a reply's target, a pin). */
export interface MessageFacts {
  exists: boolean;
  channelId: string;
  authorId: string;
  isDeleted: boolean;
}

export interface MessageState {
  /** The message as it reads now (content, mentions and embeds as of its last edit); null until it is sent. */
  message: MessageSentData | null;
  editedAt?: string;
  isDeleted: boolean;
  /** The users who reacted, per emoji; emojis in the order they were first added, users in the order they reacted. */
  reactions: ReadonlyMap<string, readonly string[]>;
}

export const initialMessageState: MessageState = { message: null, isDeleted: false, reactions: new Map() };

export function messageFacts(state: MessageState): MessageFacts {
  const { message } = state;
  return { exists: message !== null, channelId: message?.channelId ?? '', authorId: message?.authorId ?? '', isDeleted: state.isDeleted };
}

/** Copy-on-write: states handed out by the handler's cache are never mutated. */
export function evolveMessage(state: MessageState, event: MessageEvent): MessageState {
  switch (event.type) {
    case 'MessageSent':
      return { message: event.data, isDeleted: false, reactions: new Map() };
    case 'MessageEdited': {
      if (!state.message) return state;
      const { content, mentions, roleMentions, channelMentions, mentionEveryone, embeds, editedAt } = event.data;
      return { ...state, message: { ...state.message, content, mentions, roleMentions, channelMentions, mentionEveryone, embeds }, editedAt };
    }
    case 'MessageDeleted':
      return { ...state, isDeleted: true };
    case 'ReactionAdded': {
      const { emoji, userId } = event.data;
      const users = state.reactions.get(emoji) ?? [];
      return { ...state, reactions: new Map(state.reactions).set(emoji, [...users, userId]) };
    }
    case 'ReactionRemoved': {
      const { emoji, userId } = event.data;
      const users = (state.reactions.get(emoji) ?? []).filter((u) => u !== userId);
      const reactions = new Map(state.reactions);
      if (users.length > 0) reactions.set(emoji, users);
      else reactions.delete(emoji);
      return { ...state, reactions };
    }
  }
}

/**
 * A channel's pins as one aggregate (`channel-pins-<channelId>`), so the cap of 50 holds under concurrent pins:
 * every pin of the channel is decided against the same, exact set.
 */
export interface PinsState {
  /** Pinned message ids with when they were pinned, in pin order. */
  pinned: ReadonlyMap<string, string>;
}

export const initialPinsState: PinsState = { pinned: new Map() };

export function evolvePins(state: PinsState, event: PinEvent): PinsState {
  const pinned = new Map(state.pinned);
  if (event.type === 'MessagePinned') pinned.set(event.data.messageId, event.data.pinnedAt);
  else pinned.delete(event.data.messageId);
  return { pinned };
}

import { describe, expect, it } from 'vitest';
import { messageDecider, type MessageCommandOf } from '../../src/commands/messages/decide.ts';
import { canonicalEmoji } from '../../src/commands/messages/content/emoji.ts';
import type { MessageEvent } from '../../src/commands/messages/events.ts';
import { MAX_REACTION_EMOJIS } from '../../src/commands/messages/rules.ts';
import { given } from '../support/decider.ts';
import { at, deletedBy, ids, revolt, sentBy, withEveryone } from './messages-fixture.ts';

type ReactionCommand = MessageCommandOf<'AddReaction' | 'RemoveReaction'>;
const react = (emoji: string, overrides: Partial<ReactionCommand> = {}): ReactionCommand => ({
  type: 'AddReaction',
  messageId: ids.message,
  channelId: ids.general,
  actorId: ids.bob,
  emoji,
  revolt,
  at,
  ...overrides,
});
const unreact = (emoji: string, overrides: Partial<ReactionCommand> = {}) => react(emoji, { type: 'RemoveReaction', ...overrides });
const reacted = (emoji: string, userId = ids.bob, type: 'ReactionAdded' | 'ReactionRemoved' = 'ReactionAdded'): MessageEvent => ({
  type,
  data: { messageId: ids.message, channelId: ids.general, revoltId: ids.revolt, emoji, userId, authorId: ids.carol, at },
});
const sent = sentBy(ids.carol);
const custom = `party_parrot:${'0123456789abcdef01234567'}`;

describe('reaction emoji', () => {
  it.each([
    ['😀', '😀'],
    ['👍🏽', '👍🏽'],
    ['🇫🇷', '🇫🇷'],
    ['1️⃣', '1️⃣'],
    ['👨‍👩‍👧', '👨‍👩‍👧'],
    ['🏳️‍⚧️', '🏳️‍⚧️'],
    ['❤️', '❤️'],
    ['❤', '❤️'],
    [custom, custom],
  ])('%s is the reaction %s', (raw, canonical) => {
    expect(canonicalEmoji(raw)).toBe(canonical);
  });

  it.each([
    ['', 'empty'],
    ['a', 'a letter'],
    ['12', 'digits'],
    ['#', 'a keycap base alone'],
    ['😀😀', 'two emoji'],
    ['😀 ', 'an emoji and a space'],
    ['<script>', 'markup'],
    [`x:${'0'.repeat(24)}`, 'a custom name of one character'],
    [`party parrot:${'0'.repeat(24)}`, 'a custom name with a space'],
    ['party_parrot:123', 'a custom id that is no id'],
    ['😀'.repeat(9), 'more than 8 code points'],
  ])('%j is refused (%s)', (raw) => {
    expect(canonicalEmoji(raw)).toBeNull();
  });
});

describe('message decider: reactions', () => {
  it('a member adds a reaction, in its canonical form', () => {
    given(messageDecider, [sent]).when(react('👍')).then([reacted('👍')]);
    given(messageDecider, [sent]).when(react('❤')).then([reacted('❤️')]);
    given(messageDecider, [sent]).when(react(custom)).then([reacted(custom)]);
  });

  it('adding twice or removing what is not there appends nothing', () => {
    given(messageDecider, [sent, reacted('👍')]).when(react('👍')).then([]);
    given(messageDecider, [sent, reacted('❤️')]).when(react('❤')).then([]);
    given(messageDecider, [sent]).when(unreact('👍')).then([]);
    given(messageDecider, [sent, reacted('👍', ids.carol)]).when(unreact('👍')).then([]);
  });

  it('a member removes their own reaction, and only their own', () => {
    given(messageDecider, [sent, reacted('👍'), reacted('👍', ids.carol)]).when(unreact('👍')).then([reacted('👍', ids.bob, 'ReactionRemoved')]);
  });

  it('a string that is no emoji is a bad request', () => {
    given(messageDecider, [sent]).when(react('lol')).thenFails(400, 'invalid_request');
    given(messageDecider, [sent]).when(unreact('lol')).thenFails(400, 'invalid_request');
  });

  it('adding needs ADD_REACTIONS and READ_MESSAGE_HISTORY; removing needs neither', () => {
    const noReactions = withEveryone(revolt, ['VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY']);
    given(messageDecider, [sent]).when(react('👍', { revolt: noReactions })).thenFails(403, 'forbidden');
    given(messageDecider, [sent]).when(react('👍', { revolt: withEveryone(revolt, ['VIEW_CHANNEL', 'ADD_REACTIONS']) })).thenFails(403, 'forbidden');
    given(messageDecider, [sent, reacted('👍')]).when(react('👍', { revolt: noReactions })).thenFails(403, 'forbidden');
    given(messageDecider, [sent, reacted('👍')]).when(unreact('👍', { revolt: withEveryone(revolt, ['VIEW_CHANNEL']) })).then((e) => expect(e).toHaveLength(1));
  });

  it(`a message holds at most ${MAX_REACTION_EMOJIS} different emojis; more people may still join an existing one`, () => {
    const emojis = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚', '🙂'];
    expect(emojis).toHaveLength(MAX_REACTION_EMOJIS);
    const full = [sent, ...emojis.map((e) => reacted(e, ids.carol))];
    given(messageDecider, full).when(react('🤔')).thenFails(422, 'too_many_reactions');
    given(messageDecider, full).when(react('😀')).then([reacted('😀')]);
    given(messageDecider, [...full, reacted('🙂', ids.carol, 'ReactionRemoved')]).when(react('🤔')).then([reacted('🤔')]);
  });

  it('a deleted, missing or other-channel message takes no reactions', () => {
    given(messageDecider, [sent, deletedBy(ids.carol)]).when(react('👍')).thenFails(404, 'not_found');
    given(messageDecider).when(react('👍')).thenFails(404, 'not_found');
    given(messageDecider, [sent]).when(react('👍', { channelId: ids.other })).thenFails(404, 'not_found');
    given(messageDecider, [sent]).when(react('👍', { actorId: ids.stranger })).thenFails(404, 'not_found');
  });

  it('evolve keeps users per emoji exactly, in order, dropping an emoji nobody holds', () => {
    const { state } = given(messageDecider, [
      sent,
      reacted('👍'),
      reacted('👍', ids.carol),
      reacted('🎉', ids.carol),
      reacted('👍', ids.bob, 'ReactionRemoved'),
      reacted('🎉', ids.carol, 'ReactionRemoved'),
      reacted('🔥', ids.owner),
    ]);
    expect([...state.reactions]).toEqual([
      ['👍', [ids.carol]],
      ['🔥', [ids.owner]],
    ]);
  });
});

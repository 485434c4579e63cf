import { describe, expect, it } from 'vitest';
import { messageDecider, type MessageCommandOf } from '../../src/commands/messages/decide.ts';
import { given } from '../support/decider.ts';
import type { MessageEvent } from '../../src/commands/messages/events.ts';
import { messageFacts } from '../../src/commands/messages/state.ts';
import { dataOf, deletedBy, ids, later, revolt, sendCommand, sentBy, withChannel, withEveryone } from './messages-fixture.ts';

const edit = (overrides: Partial<MessageCommandOf<'EditMessage'>> = {}): MessageCommandOf<'EditMessage'> => ({
  type: 'EditMessage',
  messageId: ids.message,
  channelId: ids.general,
  actorId: ids.bob,
  content: 'hello again',
  revolt,
  at: later,
  ...overrides,
});

const del = (actorId: string, overrides: Partial<MessageCommandOf<'DeleteMessage'>> = {}): MessageCommandOf<'DeleteMessage'> => ({
  type: 'DeleteMessage',
  messageId: ids.message,
  channelId: ids.general,
  actorId,
  revolt,
  at: later,
  ...overrides,
});

describe('message decider: editing', () => {
  it('the author rewrites the content; the edit carries the new mentions, embeds and when', () => {
    given(messageDecider, [sentBy(ids.bob)])
      .when(edit())
      .then([
        {
          type: 'MessageEdited',
          data: {
            messageId: ids.message,
            channelId: ids.general,
            revoltId: ids.revolt,
            content: 'hello again',
            mentions: [],
            roleMentions: [],
            channelMentions: [],
            mentionEveryone: false,
            embeds: [],
            editedBy: ids.bob,
            editedAt: later,
          },
        },
      ]);
  });

  it('mentions are parsed again from the new content, with the author\'s current permissions', () => {
    const content = `ping <@${ids.carol}> <@${ids.stranger}> in <#${ids.other}> <@&${ids.modRole}> @everyone`;
    given(messageDecider, [sentBy(ids.bob, { mentions: [ids.owner] })])
      .when(edit({ content }))
      .then((events) =>
        expect(dataOf(events)).toMatchObject({ mentions: [ids.carol], channelMentions: [ids.other], roleMentions: [ids.modRole], mentionEveryone: false }),
      );
    given(messageDecider, [sentBy(ids.owner)])
      .when(edit({ actorId: ids.owner, content: 'hey @everyone' }))
      .then((events) => expect(dataOf(events)?.mentionEveryone).toBe(true));
  });

  it('only the author may edit, not even the owner or a moderator', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ actorId: ids.owner })).thenFails(403, 'forbidden');
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ actorId: ids.mod })).thenFails(403, 'forbidden');
  });

  it('a deleted, missing or other-channel message is not found; a non-member does not see the channel', () => {
    given(messageDecider, [sentBy(ids.bob), deletedBy(ids.bob)]).when(edit()).thenFails(404, 'not_found');
    given(messageDecider).when(edit()).thenFails(404, 'not_found');
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ channelId: ids.other })).thenFails(404, 'not_found');
    given(messageDecider, [sentBy(ids.stranger)]).when(edit({ actorId: ids.stranger })).thenFails(404, 'not_found');
  });

  it('the content limits of sending apply', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ content: '  ' })).thenFails(422, 'empty_message');
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ content: 'x'.repeat(4001) })).thenFails(422, 'content_too_long');
  });

  it('a message with a supplied embed may be edited down to no content', () => {
    const embeds = [{ type: 'rich' as const, title: 'Card', fields: [] }];
    given(messageDecider, [sentBy(ids.bob, { embeds })])
      .when(edit({ content: '' }))
      .then((events) => expect(dataOf(events)).toMatchObject({ content: '', embeds }));
  });

  it('link embeds follow the content; supplied embeds stay', () => {
    const rich = { type: 'rich' as const, title: 'Card', fields: [] };
    const link = { type: 'link' as const, url: 'https://old.example', fields: [] };
    given(messageDecider, [sentBy(ids.bob, { content: 'https://old.example', embeds: [rich, link] })])
      .when(edit({ content: 'see https://new.example/x.' }))
      .then((events) => expect(dataOf(events)?.embeds).toEqual([rich, { type: 'link', url: 'https://new.example/x', fields: [] }]));
  });

  it('the same content again changes nothing', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ content: 'hello' })).then([]);
  });

  it('an archived channel takes no edits', () => {
    const archived = withChannel(revolt, ids.general, { settings: { archived: true } });
    given(messageDecider, [sentBy(ids.bob)]).when(edit({ revolt: archived })).thenFails(422, 'channel_archived');
  });

  it('evolve shows the edited content', () => {
    const state = given(messageDecider, [sentBy(ids.bob)]).state;
    const events = messageDecider.decide(edit(), state);
    const next = events.reduce(messageDecider.evolve, state);
    expect(next.message?.content).toBe('hello again');
    expect(next.editedAt).toBe(later);
  });
});

describe('message decider: deleting', () => {
  const deleted: MessageEvent = { type: 'MessageDeleted', data: { messageId: ids.message, channelId: ids.general, revoltId: ids.revolt, deletedBy: ids.bob, deletedAt: later } };

  it('the author deletes their own message', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(del(ids.bob)).then([deleted]);
  });

  it("another member's message needs MANAGE_MESSAGES in the channel", () => {
    given(messageDecider, [sentBy(ids.carol)]).when(del(ids.bob)).thenFails(403, 'forbidden');
    given(messageDecider, [sentBy(ids.carol)]).when(del(ids.mod)).then((events) => expect(dataOf(events)?.deletedBy).toBe(ids.mod));
    given(messageDecider, [sentBy(ids.carol)]).when(del(ids.owner)).then((events) => expect(events).toHaveLength(1));
    const grant = withChannel(revolt, ids.general, { overwrites: [{ type: 'member', id: ids.bob, allow: ['MANAGE_MESSAGES'], deny: [] }] });
    given(messageDecider, [sentBy(ids.carol)]).when(del(ids.bob, { revolt: grant })).then((events) => expect(events).toHaveLength(1));
    const deny = withChannel(revolt, ids.general, { overwrites: [{ type: 'role', id: ids.modRole, allow: [], deny: ['MANAGE_MESSAGES'] }] });
    given(messageDecider, [sentBy(ids.carol)]).when(del(ids.mod, { revolt: deny })).thenFails(403, 'forbidden');
  });

  it('deleting again changes nothing', () => {
    given(messageDecider, [sentBy(ids.bob), deletedBy(ids.bob)]).when(del(ids.bob)).then([]);
    given(messageDecider, [sentBy(ids.carol), deletedBy(ids.mod)]).when(del(ids.owner)).then([]);
  });

  it('a missing or other-channel message is not found; a channel one cannot see is not found', () => {
    given(messageDecider).when(del(ids.bob)).thenFails(404, 'not_found');
    given(messageDecider, [sentBy(ids.bob)]).when(del(ids.bob, { channelId: ids.other })).thenFails(404, 'not_found');
    given(messageDecider, [sentBy(ids.bob)]).when(del(ids.bob, { revolt: withEveryone(revolt, []) })).thenFails(404, 'not_found');
  });

  it('a deleted message is kept for audit, and refused as a reply target', () => {
    const state = given(messageDecider, [sentBy(ids.bob), deletedBy(ids.bob)]).state;
    expect(state).toMatchObject({ isDeleted: true, message: { content: 'hello' } });
    const reply = sendCommand({ messageId: ids.message2, replyTo: { messageId: ids.message, state: messageFacts(state) } });
    given(messageDecider).when(reply).thenFails(422, 'reply_target_missing');
  });
});

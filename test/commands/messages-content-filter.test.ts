import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/commands/errors.ts';
import { messageDecider, type MessageCommandOf } from '../../src/commands/messages/decide.ts';
import type { RevoltSettings } from '../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { given } from '../support/decider.ts';
import { ids, later, revolt, sendCommand, sentBy } from './messages-fixture.ts';

const filtered = (settings: Partial<RevoltSettings>): RevoltState => ({
  ...revolt,
  settings: { ...revolt.settings, contentFilterKeywords: ['spoiler', 'dark magic'], ...settings },
});
const level = (contentFilter: number) => filtered({ contentFilter });

const edit = (state: RevoltState, actorId: string, content: string): MessageCommandOf<'EditMessage'> => ({
  type: 'EditMessage',
  messageId: ids.message,
  channelId: ids.general,
  actorId,
  content,
  revolt: state,
  at: later,
});

/** What a refused send or edit threw (it appends nothing: the decider returned no events). */
function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the decider should have refused');
}

describe('content filter on send', () => {
  // bob and carol hold no role; mod holds the mods role; the owner holds none.
  it.each<[string, number, string, boolean]>([
    ['level 0 lets everyone through', 0, ids.bob, true],
    ['level 1 filters a member without roles', 1, ids.bob, false],
    ['level 1 lets a member with a role through', 1, ids.mod, true],
    ['level 1 lets the owner through', 1, ids.owner, true],
    ['level 2 filters a member with a role', 2, ids.mod, false],
    ['level 2 filters the owner', 2, ids.owner, false],
  ])('%s', (_, contentFilter, authorId, passes) => {
    const when = given(messageDecider).when(sendCommand({ authorId, content: 'no SPOILER please', revolt: level(contentFilter) }));
    if (passes) when.then((events) => expect(events.map((e) => e.type)).toEqual(['MessageSent']));
    else when.thenFails(422, 'content_filtered');
  });

  it('names the rule and the keyword that matched, and its level', () => {
    const error = refusal(() => messageDecider.decide(sendCommand({ content: 'this is DARK  magic', revolt: level(2) }), messageDecider.initialState));
    expect({ code: error.code, status: error.status, details: error.details }).toEqual({
      code: 'content_filtered',
      status: 422,
      details: { rule: 'revolt_keywords', keyword: 'dark magic', level: 2 },
    });
  });

  it('only whole words: a longer word holding the keyword passes', () => {
    given(messageDecider).when(sendCommand({ content: 'spoilers are fine', revolt: level(2) })).then((events) => expect(events).toHaveLength(1));
  });

  it('a level without keywords filters nothing', () => {
    given(messageDecider).when(sendCommand({ content: 'spoiler', revolt: filtered({ contentFilter: 2, contentFilterKeywords: [] }) })).then((events) => expect(events).toHaveLength(1));
  });
});

describe('content filter on edit', () => {
  it('an edit bringing in a keyword is refused at level 2, and allowed at level 0', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(edit(level(2), ids.bob, 'ｓｐｏｉｌｅｒ alert')).thenFails(422, 'content_filtered');
    given(messageDecider, [sentBy(ids.bob)])
      .when(edit(level(0), ids.bob, 'spoiler alert'))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['MessageEdited']));
  });

  it('level 1 filters the edits of members without roles only', () => {
    given(messageDecider, [sentBy(ids.bob)]).when(edit(level(1), ids.bob, 'spoiler')).thenFails(422, 'content_filtered');
    given(messageDecider, [sentBy(ids.mod)])
      .when(edit(level(1), ids.mod, 'spoiler'))
      .then((events) => expect(events).toHaveLength(1));
  });
});

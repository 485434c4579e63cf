import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { revoltsReadModel } from '../../../src/projections/revolts/read-model.ts';
import { hexId, ids, memberJoined, memberKicked, memberLeft, messageSent, revoltCreated, time, voiceJoined, voiceLeft } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(revoltsReadModel);

/** The window, in the fixtures' unit (an event at position p happens p minutes in). */
const DAYS_30 = 30 * 24 * 60;
/** The activity clock moved to `minutes` into the scenario, by the event at `position`. */
const tick = (position: number, minutes: number) => at(position, 'ActivityWindowAdvanced', { asOf: time(minutes) });

/** ada founds the revolt (1) and joins as owner (2); bob joins (3). */
const founded = [revoltCreated(1), memberJoined(2, { isOwner: true }), memberJoined(3, { userId: ids.bob, username: 'bob' })];
const bobSays = (position: number) => messageSent(position, { authorId: ids.bob });

/** Asserts the revolt's activeMembers (and that the lane's own documents stay out of `revolts`). */
const active = (expected: number) => (docs: Document[], how: string) => {
  expect(docs, how).toHaveLength(1);
  expect(docs[0]!.stats.activeMembers, how).toBe(expected);
};

describe('stats.activeMembers: members who sent a message or were in voice in the last 30 days', () => {
  it('a message makes its author active once; a system message or a non-member makes no one active', async () => {
    const system = messageSent(4, { type: 'system', authorId: ids.revolt });
    const stranger = messageSent(5, { authorId: hexId(3) });
    await given(founded).when([system, stranger]).then(active(0));
    await given(founded).when([system, stranger, bobSays(6), bobSays(7)]).then(active(1));
    await given(founded).when([bobSays(4), bobSays(5), messageSent(6)]).then(active(2));
  });

  it('being in voice makes a member active; a voice leave recorded after their kick does not', async () => {
    await given(founded).when([voiceJoined(4, { userId: ids.bob }), voiceLeft(5, { userId: ids.bob })]).then(active(1));
    await given(founded).when([memberKicked(4), voiceLeft(5, { userId: ids.bob })]).then(active(0));
  });

  it('a member who leaves is no longer counted, and counts again only once active again', async () => {
    await given(founded).when([bobSays(4), messageSent(5), memberLeft(6)]).then(active(1));
    const rejoined = memberJoined(7, { userId: ids.bob, username: 'bob' });
    await given(founded).when([bobSays(4), memberLeft(6), rejoined]).then(active(0));
    await given(founded).when([bobSays(4), memberLeft(6), rejoined, bobSays(8)]).then(active(1));
  });

  it('as time passes: a tick keeps what is within 30 days and drops what is older, per member', async () => {
    const talked = [...founded, messageSent(4), bobSays(5)];
    await given(talked).when([tick(6, 4 + DAYS_30)]).then(active(2));
    await given(talked).when([tick(6, 4 + DAYS_30), tick(7, 4 + DAYS_30 + 1)]).then(active(1));
    await given(talked).when([tick(6, 5 + DAYS_30 + 1)]).then(active(0));
    // A tick past both at once (the first one ever), then ada speaks again: only she is active.
    await given(talked).when([tick(6, 5 + DAYS_30 + 1), messageSent(8)]).then(active(1));
  });

  it('a member active again before the window passes them stays counted once', async () => {
    await given([...founded, bobSays(4)]).when([bobSays(100), tick(101, 4 + DAYS_30 + 1)]).then(active(1));
  });

  it('a redelivered history with ticks, leaves and voice changes nothing', async () => {
    const history = [...founded, bobSays(4), messageSent(5), tick(6, 4 + DAYS_30 + 1), voiceJoined(7, { userId: ids.bob }), memberLeft(8), tick(9, 7 + DAYS_30 + 1)];
    await given(history).when(history).then(active(0));
    const untilLeave = history.slice(0, 6);
    await given(untilLeave).when(untilLeave).then(active(1));
  });
});

import { describe, it } from 'vitest';
import { personalInvitesReadModel } from '../../../src/projections/personal-invites/read-model.ts';
import { date, hexId, ids, time } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(personalInvitesReadModel);

const invite = (n: number) => hexId(0x500 + n);
const sentTo = (position: number, inviteeId: string, n: number) =>
  at(position, 'PersonalInviteSent', { inviteId: invite(n), kind: 'revolt', revoltId: ids.revolt, channelId: null, inviterId: ids.ada, inviteeId, sentAt: time(position), expiresAt: time(position + 60) });
const pending = (position: number, inviteeId: string, n: number) => ({
  id: invite(n),
  kind: 'revolt',
  revoltId: ids.revolt,
  channelId: null,
  inviterId: ids.ada,
  inviteeId,
  sentAt: date(position),
  expiresAt: date(position + 60),
});

describe('personal invites read model', () => {
  it("lists each invitee's unanswered invites in one document; an answer removes its invite; redelivery changes nothing", () => {
    const history = [sentTo(1, ids.bob, 1), sentTo(2, ids.bob, 2), sentTo(3, ids.ada, 3)];
    return given(history)
      .when([...history, at(4, 'PersonalInviteAccepted', { inviteId: invite(1), inviteeId: ids.bob, acceptedAt: time(4) }), at(5, 'PersonalInviteDeclined', { inviteId: invite(3), inviteeId: ids.ada, declinedAt: time(5) }), sentTo(2, ids.bob, 2)])
      .then([
        { _id: ids.ada, invites: [], _pos: 5 },
        { _id: ids.bob, invites: [pending(2, ids.bob, 2)], _pos: 4 },
      ]);
  });

  it('an invite expired by the time a later one is sent leaves the list', () =>
    given([sentTo(1, ids.bob, 1)])
      .when([sentTo(90, ids.bob, 2)])
      .then([{ _id: ids.bob, invites: [pending(90, ids.bob, 2)], _pos: 90 }]));
});

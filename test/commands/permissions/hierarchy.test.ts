import { describe, expect, it } from 'vitest';
import { assertGrantable, assertOutranks, assertRoleBelow } from '../../../src/commands/permissions/hierarchy.ts';
import { subjectOf } from '../../../src/commands/permissions/subject.ts';
import { MOD, OUTSIDER, OWNER, PLAIN, revolt } from './fixture.ts';

const state = revolt();
const as = (userId: string) => subjectOf(state, userId)!;
const refusal = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('role positions: nobody acts at or above their own highest role; the owner outranks all', () => {
  it('roles and positions are managed only below one’s highest role', () => {
    expect(refusal(() => assertRoleBelow(as(MOD), 4))).toBeUndefined();
    expect(refusal(() => assertRoleBelow(as(MOD), 5))).toMatchObject({ status: 403, message: 'that role is at or above your highest role' });
    expect(refusal(() => assertRoleBelow(as(OWNER), 1000))).toBeUndefined();
  });

  it('members are acted on only from above; never the owner', () => {
    expect(refusal(() => assertOutranks(state, as(MOD), PLAIN))).toBeUndefined();
    expect(refusal(() => assertOutranks(state, as(MOD), OUTSIDER))).toBeUndefined();
    expect(refusal(() => assertOutranks(state, as(PLAIN), MOD))).toMatchObject({ status: 403 });
    expect(refusal(() => assertOutranks(state, as(MOD), MOD))).toMatchObject({ status: 403 });
    expect(refusal(() => assertOutranks(state, as(MOD), OWNER))).toMatchObject({ status: 403, message: 'the owner cannot be the target of that' });
  });

  it('only permissions one holds can be granted or taken away; the refusal lists the others', () => {
    expect(refusal(() => assertGrantable(as(MOD), ['KICK_MEMBERS', 'SEND_MESSAGES']))).toBeUndefined();
    expect(refusal(() => assertGrantable(as(MOD), ['KICK_MEMBERS', 'BAN_MEMBERS', 'ADMINISTRATOR']))).toMatchObject({
      status: 403,
      details: { missing: ['BAN_MEMBERS', 'ADMINISTRATOR'] },
    });
    expect(refusal(() => assertGrantable(as(OWNER), ['ADMINISTRATOR']))).toBeUndefined();
  });
});

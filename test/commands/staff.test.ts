import { describe, expect, it } from 'vitest';
import type { StaffEvent } from '../../src/commands/staff/events.ts';
import { rosterDecider } from '../../src/commands/staff/decide.ts';
import { given } from '../support/decider.ts';

const ada = '0'.repeat(23) + '1';
const at = '2026-01-01T00:00:00.000Z';
const granted = (role: 'operator' | 'analyst' | 'auditor', userId = ada): StaffEvent => ({ type: 'StaffRoleGranted', data: { userId, role, grantedBy: 'operator:root', at } });

describe('staff roster', () => {
  it('grants a role, recording who granted it and why', () =>
    given(rosterDecider)
      .when({ type: 'Grant', userId: ada, role: 'operator', by: 'operator:root', reason: 'runs the course', at })
      .then([{ type: 'StaffRoleGranted', data: { userId: ada, role: 'operator', grantedBy: 'operator:root', reason: 'runs the course', at } }]));

  it('roles are independent: a user may hold several', () => {
    const { state } = given(rosterDecider, [granted('operator'), granted('analyst')]);
    expect(state.roles.get(ada)).toEqual(new Set(['operator', 'analyst']));
  });

  it('granting a role held, or revoking one not held, changes nothing', () => {
    given(rosterDecider, [granted('operator')]).when({ type: 'Grant', userId: ada, role: 'operator', by: 'x', at }).then([]);
    given(rosterDecider, [granted('operator')]).when({ type: 'Revoke', userId: ada, role: 'auditor', by: 'x', at }).then([]);
  });

  it('revokes one role and keeps the others; a user without roles leaves the roster', () => {
    const history = [granted('operator'), granted('auditor')];
    given(rosterDecider, history)
      .when({ type: 'Revoke', userId: ada, role: 'auditor', by: 'operator:root', at })
      .then([{ type: 'StaffRoleRevoked', data: { userId: ada, role: 'auditor', revokedBy: 'operator:root', at } }]);
    const revoked: StaffEvent = { type: 'StaffRoleRevoked', data: { userId: ada, role: 'operator', revokedBy: 'x', at } };
    expect(given(rosterDecider, [granted('operator'), revoked]).state.roles.has(ada)).toBe(false);
  });

  it('reads the auditors-only roster recorded before roles as the auditor role', () => {
    const { state } = given(rosterDecider, [
      { type: 'AuditorGranted', data: { userId: ada, grantedBy: 'operator:old', at } },
      granted('operator'),
    ]);
    expect(state.roles.get(ada)).toEqual(new Set(['auditor', 'operator']));
    const after = given(rosterDecider, [granted('operator'), { type: 'AuditorGranted', data: { userId: ada, grantedBy: 'o', at } }, { type: 'AuditorRevoked', data: { userId: ada, revokedBy: 'o', at } }]);
    expect(after.state.roles.get(ada)).toEqual(new Set(['operator']));
  });
});

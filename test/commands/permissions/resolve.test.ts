import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, fromBits, has, PERMISSIONS, toBits, type Permission } from '../../../src/commands/permissions/catalogue.ts';
import { highestRolePosition } from '../../../src/commands/permissions/hierarchy.ts';
import {
  basePermissions,
  channelPermissions,
  type Overwrite,
  type PermissionSubject,
  type RoleGrant,
} from '../../../src/commands/permissions/resolve.ts';

const OWNER = 'owner';
const EVERYONE = 'everyone';
const roles = new Map<string, RoleGrant>([
  [EVERYONE, { id: EVERYONE, position: 0, permissions: ['VIEW_CHANNEL', 'SEND_MESSAGES'] }],
  ['mod', { id: 'mod', position: 5, permissions: ['MANAGE_MESSAGES', 'KICK_MEMBERS'] }],
  ['muted', { id: 'muted', position: 1, permissions: [] }],
  ['admin', { id: 'admin', position: 9, permissions: ['ADMINISTRATOR'] }],
]);
const subject = (userId: string, memberRoles: string[] = [], direct: Permission[] = []): PermissionSubject => ({
  ownerId: OWNER,
  everyoneRoleId: EVERYONE,
  roles,
  member: { userId, roles: memberRoles, permissions: direct },
});
const ow = (type: 'role' | 'member', id: string, allow: Permission[], deny: Permission[]): Overwrite => ({ type, id, allow, deny });

describe('permission bits', () => {
  it('round-trip every permission', () => {
    expect(fromBits(toBits([...PERMISSIONS]))).toEqual([...PERMISSIONS]);
    expect(fromBits(ALL_PERMISSIONS)).toEqual([...PERMISSIONS]);
    for (const p of PERMISSIONS) expect(fromBits(toBits([p]))).toEqual([p]);
  });
});

describe('revolt-level permissions', () => {
  const cases: Array<[string, PermissionSubject, Permission[]]> = [
    ['@everyone only', subject('u'), ['VIEW_CHANNEL', 'SEND_MESSAGES']],
    ['@everyone ∪ a role', subject('u', ['mod']), ['MANAGE_MESSAGES', 'KICK_MEMBERS', 'VIEW_CHANNEL', 'SEND_MESSAGES']],
    ['direct grants add', subject('u', [], ['BAN_MEMBERS']), ['BAN_MEMBERS', 'VIEW_CHANNEL', 'SEND_MESSAGES']],
    ['unknown role ids are ignored', subject('u', ['gone']), ['VIEW_CHANNEL', 'SEND_MESSAGES']],
    ['ADMINISTRATOR means everything', subject('u', ['admin']), [...PERMISSIONS]],
    ['the owner has everything', subject(OWNER), [...PERMISSIONS]],
  ];
  it.each(cases)('%s', (_name, s, expected) => {
    expect(new Set(fromBits(basePermissions(s)))).toEqual(new Set(expected));
  });
});

describe('channel permissions: @everyone overwrite, then role overwrites together, then the member overwrite', () => {
  const cases: Array<[string, PermissionSubject, Overwrite[], Permission[]]> = [
    ['no overwrites: base', subject('u'), [], ['VIEW_CHANNEL', 'SEND_MESSAGES']],
    ['@everyone deny hides the channel', subject('u'), [ow('role', EVERYONE, [], ['VIEW_CHANNEL'])], ['SEND_MESSAGES']],
    ['@everyone allow adds', subject('u'), [ow('role', EVERYONE, ['ADD_REACTIONS'], [])], ['VIEW_CHANNEL', 'SEND_MESSAGES', 'ADD_REACTIONS']],
    [
      'a role allow beats the @everyone deny (private channel opened to a role)',
      subject('u', ['mod']),
      [ow('role', EVERYONE, [], ['VIEW_CHANNEL']), ow('role', 'mod', ['VIEW_CHANNEL'], [])],
      ['VIEW_CHANNEL', 'SEND_MESSAGES', 'MANAGE_MESSAGES', 'KICK_MEMBERS'],
    ],
    [
      'among roles, an allow beats a deny',
      subject('u', ['mod', 'muted']),
      [ow('role', 'muted', [], ['SEND_MESSAGES']), ow('role', 'mod', ['SEND_MESSAGES'], [])],
      ['VIEW_CHANNEL', 'SEND_MESSAGES', 'MANAGE_MESSAGES', 'KICK_MEMBERS'],
    ],
    ['a role deny removes', subject('u', ['muted']), [ow('role', 'muted', [], ['SEND_MESSAGES'])], ['VIEW_CHANNEL']],
    [
      'overwrites of roles the member lacks do not apply',
      subject('u'),
      [ow('role', 'mod', [], ['VIEW_CHANNEL']), ow('member', 'someone-else', [], ['VIEW_CHANNEL'])],
      ['VIEW_CHANNEL', 'SEND_MESSAGES'],
    ],
    [
      'the member overwrite comes last: deny beats a role allow',
      subject('u', ['mod']),
      [ow('role', 'mod', ['ADD_REACTIONS'], []), ow('member', 'u', [], ['ADD_REACTIONS', 'SEND_MESSAGES'])],
      ['VIEW_CHANNEL', 'MANAGE_MESSAGES', 'KICK_MEMBERS'],
    ],
    [
      'the member overwrite comes last: allow beats a role deny',
      subject('u', ['muted']),
      [ow('role', 'muted', [], ['SEND_MESSAGES']), ow('member', 'u', ['SEND_MESSAGES'], [])],
      ['VIEW_CHANNEL', 'SEND_MESSAGES'],
    ],
    ['ADMINISTRATOR ignores overwrites', subject('u', ['admin']), [ow('member', 'u', [], ['VIEW_CHANNEL'])], [...PERMISSIONS]],
    ['the owner ignores overwrites', subject(OWNER), [ow('role', EVERYONE, [], [...PERMISSIONS])], [...PERMISSIONS]],
  ];
  it.each(cases)('%s', (_name, s, overwrites, expected) => {
    expect(new Set(fromBits(channelPermissions(s, { overwrites, settings: { isPrivate: false } })))).toEqual(new Set(expected));
  });
});

describe('private channels: @everyone may not view them; only a role or member overwrite lets one in', () => {
  const viewers: Array<[string, PermissionSubject, Overwrite[], boolean]> = [
    ['a member without an overwrite', subject('u'), [], false],
    ['a member granted VIEW_CHANNEL revolt-wide but with no overwrite', subject('u', [], ['VIEW_CHANNEL']), [], false],
    ['an @everyone allow does not open it', subject('u'), [ow('role', EVERYONE, ['VIEW_CHANNEL'], [])], false],
    ['a member overwrite allowing VIEW_CHANNEL', subject('u'), [ow('member', 'u', ['VIEW_CHANNEL'], [])], true],
    ['a role overwrite allowing VIEW_CHANNEL', subject('u', ['mod']), [ow('role', 'mod', ['VIEW_CHANNEL'], [])], true],
    ["someone else's member overwrite", subject('u'), [ow('member', 'v', ['VIEW_CHANNEL'], [])], false],
    ['a role overwrite, then a member deny', subject('u', ['mod']), [ow('role', 'mod', ['VIEW_CHANNEL'], []), ow('member', 'u', [], ['VIEW_CHANNEL'])], false],
    ['ADMINISTRATOR', subject('u', ['admin']), [], true],
    ['the owner', subject(OWNER), [], true],
  ];
  it.each(viewers)('%s', (_name, s, overwrites, views) => {
    expect(has(channelPermissions(s, { overwrites, settings: { isPrivate: true } }), 'VIEW_CHANNEL')).toBe(views);
  });

  it('privacy takes only VIEW_CHANNEL: the rest resolves as for a public channel', () => {
    const overwrites = [ow('member', 'u', ['VIEW_CHANNEL'], [])];
    const open = channelPermissions(subject('u', ['mod']), { overwrites, settings: { isPrivate: false } });
    expect(channelPermissions(subject('u', ['mod']), { overwrites, settings: { isPrivate: true } })).toBe(open);
    expect(fromBits(channelPermissions(subject('u'), { overwrites: [], settings: { isPrivate: true } }))).toEqual(['SEND_MESSAGES']);
  });
});

describe('role hierarchy', () => {
  it('is the highest role position; @everyone is 0 and the owner outranks all', () => {
    expect(highestRolePosition(subject('u'))).toBe(0);
    expect(highestRolePosition(subject('u', ['muted', 'mod']))).toBe(5);
    expect(highestRolePosition(subject(OWNER))).toBe(Number.POSITIVE_INFINITY);
  });
});

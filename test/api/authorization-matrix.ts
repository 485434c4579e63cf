/**
 * The authorisation matrix: for every documented operation, the answer each kind of caller gets. ONE table; the
 * test (authorization.test.ts) runs every cell against a revolt built for it and fails on a route of /openapi.json
 * missing here, or a row here /openapi.json no longer has.
 *
 * The callers, around one public revolt:
 * - anonymous: no token; outsider: signed in, not a member;
 * - member: a member whose role (position 8) holds every moderation permission (MANAGE_REVOLT, MANAGE_CHANNELS,
 *   MANAGE_ROLES, MANAGE_MESSAGES, KICK/BAN_MEMBERS, MUTE/DEAFEN/MOVE_MEMBERS, CREATE_INVITES);
 * - memberWithout: a member with nothing but @everyone (the permission the route needs is not theirs);
 * - moderatorBelow: the same permissions as `member`, on a role at position 2, below the target's (position 5);
 * - owner: the revolt's owner; staff: an operator, auditor and analyst of the platform who is not a member.
 * The target of member operations is a member holding the position-5 role; its message is the message routes'.
 */

export const ACTORS = ['anonymous', 'outsider', 'member', 'memberWithout', 'moderatorBelow', 'owner', 'staff'] as const;
export type Actor = (typeof ACTORS)[number];
export type Answers = Record<Actor, number>;

/** The ids a route's path parameters are filled from, by parameter name (see `World` in the test). */
export interface MatrixRow {
  answers: Answers;
  /** A valid body, so that what is checked is who may, not what was sent. */
  body?: (ids: Record<string, string>) => unknown;
  /** A query string the route needs (without `?`). */
  query?: string;
  /** Path parameters filled from another id than their name's (`{ channelId: 'voiceChannelId' }`). */
  params?: Record<string, string>;
  /** A success changes what the next caller would meet (deletes, kicks, transfers): each caller gets a fresh revolt. */
  destructive?: true;
}

const row = (anonymous: number, outsider: number, member: number, memberWithout: number, moderatorBelow: number, owner: number, staff: number): Answers => ({
  anonymous,
  outsider,
  member,
  memberWithout,
  moderatorBelow,
  owner,
  staff,
});
/** Anyone signed in gets `status`; nobody else 401. */
const signedIn = (status: number) => row(401, status, status, status, status, status, status);
/** Open to everyone, token or not. */
const open = (status: number) => row(status, status, status, status, status, status, status);

const LETTER = {
  book: 'revolution',
  order: 7,
  title: 'A letter',
  content: 'Text.',
  prerequisites: [],
  estimatedReadTime: 3,
  unlocks: [],
  assignments: [{ id: 'reflect', kind: 'reflection', prompt: 'Why?', minLength: 10, required: true }],
};

export const MATRIX: Record<string, MatrixRow> = {
  // Sign-up and sessions: public, refused on their own terms (a taken email, wrong password, unknown token).
  'POST /v1/auth/register': { answers: open(400) },
  'POST /v1/auth/login': { answers: open(400) },
  'POST /v1/auth/verify': { answers: open(422), body: () => ({ token: 'not-a-token' }) },
  'POST /v1/auth/verify/resend': { answers: signedIn(429) },
  'POST /v1/auth/logout': { answers: signedIn(204) },
  // The caller's own documents.
  'GET /v1/users/@me': { answers: signedIn(200) },
  'PATCH /v1/users/@me': { answers: signedIn(200), body: () => ({ bio: 'matrix' }) },
  'PUT /v1/users/@me/status': { answers: signedIn(200), body: () => ({ status: 'away' }) },
  'GET /v1/users/{userId}': { answers: signedIn(200) },
  'GET /v1/users/by-tag/{username}/{discriminator}': { answers: signedIn(200) },
  'GET /v1/users/@me/revolts': { answers: signedIn(200) },
  'GET /v1/users/@me/voice-sessions': { answers: signedIn(200) },
  'GET /v1/users/@me/donations': { answers: signedIn(200) },
  'GET /v1/users/@me/progress': { answers: signedIn(200) },
  'GET /v1/users/@me/invites': { answers: signedIn(200) },
  'GET /v1/users/@me/invite-settings': { answers: signedIn(200) },
  'PATCH /v1/users/@me/invite-settings': { answers: signedIn(200), body: () => ({ onlyFromSharedRevolts: true }) },
  'GET /v1/users/@me/read-states': { answers: signedIn(200) },
  'GET /v1/users/@me/notification-settings': { answers: signedIn(200) },
  'PATCH /v1/users/@me/notification-settings': { answers: row(401, 404, 200, 200, 200, 200, 404), body: (ids) => ({ revolts: [{ revoltId: ids.revoltId, muted: true }] }) },
  'GET /v1/notifications': { answers: signedIn(200) },
  'GET /v1/notifications/unread-count': { answers: signedIn(200) },
  'POST /v1/notifications/{id}/read': { answers: signedIn(404) },
  'POST /v1/notifications/read-all': { answers: signedIn(204) },
  // Follows: any user of any other.
  'PUT /v1/users/{userId}/follow': { answers: signedIn(204) },
  'DELETE /v1/users/{userId}/follow': { answers: signedIn(204) },
  'GET /v1/users/{userId}/followers': { answers: signedIn(200) },
  'GET /v1/users/{userId}/following': { answers: signedIn(200) },
  'GET /v1/users/{userId}/achievements': { answers: signedIn(200) },
  // Revolts: public ones are readable by anyone signed in; changes need MANAGE_REVOLT; the owner's alone to delete or give away.
  'POST /v1/revolts': { answers: signedIn(201), body: () => ({ name: 'Another' }) },
  'GET /v1/revolts': { answers: signedIn(200) },
  'GET /v1/revolts/{revoltId}': { answers: signedIn(200) },
  'PATCH /v1/revolts/{revoltId}': { answers: row(401, 403, 200, 403, 200, 200, 403), body: () => ({ description: 'changed' }) },
  'DELETE /v1/revolts/{revoltId}': { answers: row(401, 403, 403, 403, 403, 204, 403), destructive: true },
  'POST /v1/revolts/{revoltId}/owner': { answers: row(401, 403, 403, 403, 403, 200, 403), body: (ids) => ({ userId: ids.targetUserId }), destructive: true },
  // Membership.
  'DELETE /v1/revolts/{revoltId}/members/@me': { answers: row(401, 404, 204, 204, 204, 422, 404), destructive: true },
  'DELETE /v1/revolts/{revoltId}/members/{userId}': { answers: row(401, 403, 204, 403, 403, 204, 403), destructive: true },
  'PUT /v1/revolts/{revoltId}/bans/{userId}': { answers: row(401, 403, 204, 403, 403, 204, 403), body: () => ({ reason: 'matrix' }), destructive: true },
  'DELETE /v1/revolts/{revoltId}/bans/{userId}': { answers: row(401, 403, 204, 403, 204, 204, 403) },
  'GET /v1/revolts/{revoltId}/members': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'POST /v1/invites/{code}': { answers: row(401, 200, 200, 200, 200, 200, 200) },
  'GET /v1/invites/{code}': { answers: open(200) },
  'POST /v1/revolts/{revoltId}/invite': { answers: row(401, 403, 200, 403, 200, 200, 403), destructive: true },
  'POST /v1/revolts/{revoltId}/invites/users/{userId}': { answers: row(401, 403, 201, 201, 201, 201, 403), params: { userId: 'outsiderUserId' }, destructive: true },
  'POST /v1/invites/personal/{inviteId}/accept': { answers: signedIn(404) },
  'POST /v1/invites/personal/{inviteId}/decline': { answers: signedIn(404) },
  // Roles: MANAGE_ROLES, and only below one's own highest role.
  'POST /v1/revolts/{revoltId}/roles': { answers: row(401, 403, 201, 403, 201, 201, 403), body: () => ({ name: 'new', position: 1 }) },
  'PATCH /v1/revolts/{revoltId}/roles/{roleId}': { answers: row(401, 403, 200, 403, 403, 200, 403), body: () => ({ name: 'renamed' }) },
  'DELETE /v1/revolts/{revoltId}/roles/{roleId}': { answers: row(401, 403, 204, 403, 403, 204, 403), destructive: true },
  'PUT /v1/revolts/{revoltId}/members/{userId}/roles/{roleId}': { answers: row(401, 403, 204, 403, 403, 204, 403), params: { roleId: 'spareRoleId' } },
  'DELETE /v1/revolts/{revoltId}/members/{userId}/roles/{roleId}': { answers: row(401, 403, 204, 403, 403, 204, 403), destructive: true },
  // Channels: MANAGE_CHANNELS.
  'POST /v1/revolts/{revoltId}/channels': { answers: row(401, 403, 201, 403, 201, 201, 403), body: () => ({ name: 'new' }) },
  'GET /v1/revolts/{revoltId}/channels': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'PATCH /v1/channels/{channelId}': { answers: row(401, 404, 200, 403, 200, 200, 404), body: () => ({ description: 'changed' }) },
  'DELETE /v1/channels/{channelId}': { answers: row(401, 404, 204, 403, 204, 204, 404), params: { channelId: 'spareChannelId' }, destructive: true },
  'PUT /v1/channels/{channelId}/permissions/{targetId}': { answers: row(401, 404, 204, 403, 204, 204, 404), body: () => ({ type: 'member', allow: ['VIEW_CHANNEL'] }) },
  'DELETE /v1/channels/{channelId}/permissions/{targetId}': { answers: row(401, 404, 204, 403, 204, 204, 404) },
  // Messages: members send and read; others' messages are MANAGE_MESSAGES's.
  'POST /v1/channels/{channelId}/messages': { answers: row(401, 404, 201, 201, 201, 201, 404), body: () => ({ content: 'matrix' }) },
  'GET /v1/channels/{channelId}/messages': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'GET /v1/channels/{channelId}/messages/{messageId}': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'PATCH /v1/channels/{channelId}/messages/{messageId}': { answers: row(401, 404, 403, 403, 403, 403, 404), body: () => ({ content: 'edited' }) },
  'DELETE /v1/channels/{channelId}/messages/{messageId}': { answers: row(401, 404, 204, 403, 204, 204, 404), destructive: true },
  'PUT /v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}/@me': { answers: row(401, 404, 204, 204, 204, 204, 404) },
  'DELETE /v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}/@me': { answers: row(401, 404, 204, 204, 204, 204, 404) },
  'PUT /v1/channels/{channelId}/pins/{messageId}': { answers: row(401, 404, 204, 403, 204, 204, 404) },
  'DELETE /v1/channels/{channelId}/pins/{messageId}': { answers: row(401, 404, 204, 403, 204, 204, 404) },
  'GET /v1/channels/{channelId}/pins': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'POST /v1/channels/{channelId}/typing': { answers: row(401, 404, 204, 204, 204, 204, 404) },
  'POST /v1/channels/{channelId}/ack/{messageId}': { answers: row(401, 404, 204, 204, 204, 204, 404) },
  'GET /v1/revolts/{revoltId}/messages/recent': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'GET /v1/revolts/{revoltId}/messages/search': { answers: row(401, 404, 200, 200, 200, 200, 404), query: 'q=target' },
  // Attachments: the uploader's own; a download follows the channel it was posted in.
  'POST /v1/attachments': { answers: signedIn(400) },
  'GET /v1/attachments/{attachmentId}/{*}': { answers: signedIn(404) },
  // Voice: members who may connect; moderation needs MUTE/DEAFEN/MOVE_MEMBERS over someone in the channel.
  'PUT /v1/channels/{channelId}/voice/members/@me': { answers: row(401, 404, 200, 200, 200, 200, 404), params: { channelId: 'voiceChannelId' }, body: () => ({}), destructive: true },
  'PATCH /v1/channels/{channelId}/voice/members/@me': { answers: signedIn(422), params: { channelId: 'voiceChannelId' }, body: () => ({ selfMute: true }) },
  'DELETE /v1/channels/{channelId}/voice/members/@me': { answers: signedIn(422), params: { channelId: 'voiceChannelId' } },
  'PATCH /v1/channels/{channelId}/voice/members/{userId}': { answers: signedIn(404), params: { channelId: 'voiceChannelId' }, body: () => ({ serverMute: true }) },
  'DELETE /v1/channels/{channelId}/voice/members/{userId}': { answers: row(401, 404, 404, 403, 403, 404, 404), params: { channelId: 'voiceChannelId' } },
  'POST /v1/channels/{channelId}/voice/members/{userId}/move': { answers: signedIn(404), params: { channelId: 'voiceChannelId' }, body: (ids) => ({ channelId: ids.voiceChannelId }) },
  'POST /v1/channels/{channelId}/voice/invites/{userId}': { answers: row(401, 404, 201, 201, 201, 201, 404), params: { channelId: 'voiceChannelId' } },
  'GET /v1/voice/sessions': { answers: signedIn(200) },
  'GET /v1/channels/{channelId}/voice': { answers: signedIn(404), params: { channelId: 'voiceChannelId' } },
  // Donations: members of a revolt that takes them; refunds and audits are staff's.
  'POST /v1/revolts/{revoltId}/donations': { answers: signedIn(201), body: () => ({ amount: 500, currency: 'usd' }) },
  'GET /v1/revolts/{revoltId}/donations': { answers: row(401, 404, 200, 200, 200, 200, 404) },
  'POST /v1/donations/{donationId}/refund': { answers: signedIn(404) },
  'GET /v1/revolts/{revoltId}/donations/stats': { answers: signedIn(200) },
  'POST /v1/payments/stripe/webhook': { answers: open(400) },
  'GET /v1/audit/donations/{donationId}': { answers: row(401, 403, 403, 403, 403, 403, 404) },
  'GET /v1/audit/verify': { answers: row(401, 403, 403, 403, 403, 403, 200) },
  // The course: everyone reads; operators write.
  'GET /v1/letters': { answers: signedIn(200) },
  'POST /v1/letters': { answers: row(401, 403, 403, 403, 403, 403, 201), body: () => ({ ...LETTER, letterId: 1, order: 1 }) },
  'GET /v1/letters/{n}': { answers: signedIn(404) },
  'PUT /v1/letters/{n}': { answers: row(401, 403, 403, 403, 403, 403, 201), body: () => LETTER },
  'PATCH /v1/letters/{n}': { answers: row(401, 403, 403, 403, 403, 403, 200), body: () => ({ title: 'retitled' }) },
  'DELETE /v1/letters/{n}': { answers: row(401, 403, 403, 403, 403, 403, 204), destructive: true },
  'POST /v1/letters/{n}/assignments/{assignmentId}': { answers: signedIn(404), body: () => ({ response: 'an answer long enough' }) },
  'POST /v1/letters/{n}/complete': { answers: signedIn(404) },
  // Reports: analysts'.
  'GET /v1/reports': { answers: row(401, 403, 403, 403, 403, 403, 200) },
  'GET /v1/reports/{name}': { answers: row(401, 403, 403, 403, 403, 403, 404) },
  'POST /v1/announcements': { answers: row(401, 403, 403, 403, 403, 403, 201), body: () => ({ title: 'News', message: 'Hello all' }) },
};

/** How long a personal invite stays open (Discord's default invite lifetime). */
export const PERSONAL_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Personal invites one user may send per hour (revolt and voice invites together). Enforced by the HTTP rate
 * limiter rather than in decide: invites live on the invitee's stream, so accepting, declining and the invitee's
 * own setting are decided atomically with the invite they concern; a count per sender would need a second stream
 * appended on every send. The limiter counts before anything is read or appended, so a refused send writes nothing.
 */
export const PERSONAL_INVITES_PER_HOUR = 30;

export const expiryOf = (sentAt: string): string => new Date(Date.parse(sentAt) + PERSONAL_INVITE_TTL_MS).toISOString();

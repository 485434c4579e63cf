/** How long a verification link verifies. */
export const VERIFICATION_LINK_TTL_MS = 24 * 3600_000;
/** Verification links mailed to one user: at most one a minute and five a day (the registration's counts). */
export const VERIFICATION_LINK_INTERVAL_MS = 60_000;
export const VERIFICATION_LINKS_PER_DAY = 5;
export const DAY_MS = 24 * 3600_000;

import type { RevoltSettings } from './events.ts';

export const MAX_CHANNELS = 500;
export const MAX_OVERWRITES = 100;
export const MAX_ROLES = 250;

export const DEFAULT_REVOLT_SETTINGS: RevoltSettings = {
  isPublic: true,
  verificationLevel: 0,
  maxMembers: 100_000,
  allowInvites: true,
  slowMode: 0,
  contentFilter: 0,
  region: 'auto',
  premiumTier: 0,
};

/** Whether a revolt accepts donations (see RevoltSettings.donationsEnabled). */
export const acceptsDonations = (settings: Pick<RevoltSettings, 'donationsEnabled'>) => settings.donationsEnabled !== false;

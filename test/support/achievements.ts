/** The founder achievement as the seed shapes it (spelled out, not read from the catalogue), unlocked at `unlockedAt`. */
export const founderUnlocked = (unlockedAt: string | Date) => ({
  id: 'founder',
  name: 'Founder',
  description: 'Started a revolt.',
  icon: '🏴',
  category: 'leadership',
  requirements: [{ type: 'revoltsCreated', value: 1, description: 'Found 1 revolt' }],
  unlockedAt,
  rarity: 'common',
});

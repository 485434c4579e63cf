/** Issued by the achievements reactor when a user's counters meet an achievement's requirements (at `unlockedAt`). */
export interface UnlockAchievement {
  type: 'UnlockAchievement';
  userId: string;
  achievementId: string;
  unlockedAt: string;
}

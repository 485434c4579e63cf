import { z } from 'zod';
import type { Counter, Counters } from './counters.ts';

export const CATEGORIES = ['participation', 'leadership', 'fundraising', 'education', 'voice', 'social'] as const;
export const RARITIES = ['common', 'uncommon', 'rare', 'epic', 'legendary'] as const;

/**
 * What a requirement measures: a counter (counters.ts) in the unit people read it in. Money in cents, as every
 * amount of the system; voice and screen share in whole minutes (the users' `stats.voiceTime` unit).
 */
const MEASURES = {
  messagesSent: { counter: 'messagesSent', per: 1, say: (n: number) => `Send ${plural(n, 'message')}` },
  revoltsJoined: { counter: 'revoltsJoined', per: 1, say: (n: number) => `Join ${plural(n, 'revolt')} founded by others` },
  revoltsCreated: { counter: 'revoltsCreated', per: 1, say: (n: number) => `Found ${plural(n, 'revolt')}` },
  totalDonated: { counter: 'totalDonated', per: 1, say: (n: number) => `Donate ${money(n)} in total` },
  totalRaised: { counter: 'totalRaised', per: 1, say: (n: number) => `Raise ${money(n)} in total for your revolts` },
  voiceMinutes: { counter: 'voiceMs', per: 60_000, say: (n: number) => `Spend ${plural(n, 'minute')} in voice channels` },
  screenShareMinutes: { counter: 'screenShareMs', per: 60_000, say: (n: number) => `Share your screen for ${plural(n, 'minute')}` },
  followers: { counter: 'followers', per: 1, say: (n: number) => `Be followed by ${plural(n, 'person', 'people')}` },
  following: { counter: 'following', per: 1, say: (n: number) => `Follow ${plural(n, 'person', 'people')}` },
  lettersCompleted: { counter: 'lettersCompleted', per: 1, say: (n: number) => `Complete ${plural(n, 'letter')} of the course` },
  coursesCompleted: { counter: 'coursesCompleted', per: 1, say: () => 'Complete the whole course' },
  reactionsReceived: { counter: 'reactionsReceived', per: 1, say: (n: number) => `Receive ${plural(n, 'reaction')} from others` },
  reactionsGiven: { counter: 'reactionsGiven', per: 1, say: (n: number) => `React ${plural(n, 'time')} to others' messages` },
} as const satisfies Record<string, { counter: Counter; per: number; say: (value: number) => string }>;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

const money = (cents: number) => `$${(cents / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

export const requirementTypeSchema = z.enum(Object.keys(MEASURES) as [keyof typeof MEASURES, ...(keyof typeof MEASURES)[]]);
export type RequirementType = z.infer<typeof requirementTypeSchema>;

export const requirementSchema = z.object({ type: requirementTypeSchema, value: z.number().int().positive(), description: z.string().min(1) });
export type Requirement = z.infer<typeof requirementSchema>;

/** An achievement as the catalogue defines it: the seed's Achievement without `unlockedAt`. */
export const achievementDefinitionSchema = z.object({
  /** Stable: recorded in AchievementUnlocked events. Never rename one that has shipped. */
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  name: z.string().min(1),
  description: z.string().min(1),
  icon: z.string().min(1),
  category: z.enum(CATEGORIES),
  requirements: z.array(requirementSchema).min(1),
  rarity: z.enum(RARITIES),
});
export type AchievementDefinition = z.infer<typeof achievementDefinitionSchema>;

/** How far `counters` go on a requirement's measure (whole units: a minute counts once it is complete). */
export function measure(counters: Counters, type: RequirementType): number {
  const { counter, per } = MEASURES[type];
  return Math.floor((counters[counter] ?? 0) / per);
}

/** Whether `counters` meet every requirement of `achievement`. */
export function meets(achievement: Pick<AchievementDefinition, 'requirements'>, counters: Counters): boolean {
  return achievement.requirements.every(({ type, value }) => measure(counters, type) >= value);
}

/** The achievements of `catalogue` that `counters` meet and that are not `unlocked` yet, in catalogue order. */
export function due(catalogue: readonly AchievementDefinition[], counters: Counters, unlocked: ReadonlySet<string>): AchievementDefinition[] {
  return catalogue.filter((achievement) => !unlocked.has(achievement.id) && meets(achievement, counters));
}

type Need = readonly [RequirementType, number];
type Entry = readonly [id: string, name: string, description: string, icon: string, category: AchievementDefinition['category'], rarity: AchievementDefinition['rarity'], ...needs: Need[]];

/** [id, name, description, icon, category, rarity, ...[requirement type, value]]: descriptions of requirements are derived. */
const ENTRIES: readonly Entry[] = [
  ['first_words', 'First Words', 'Said something for the first time.', '💬', 'participation', 'common', ['messagesSent', 1]],
  ['conversationalist', 'Conversationalist', 'A regular voice in the conversation.', '🗨️', 'participation', 'uncommon', ['messagesSent', 100]],
  ['town_crier', 'Town Crier', 'A thousand messages carried the word further.', '📣', 'participation', 'rare', ['messagesSent', 1_000]],
  ['voice_of_the_people', 'Voice of the People', 'Ten thousand messages: the conversation would not be the same without you.', '🗣️', 'participation', 'epic', ['messagesSent', 10_000]],
  ['newcomer', 'Newcomer', 'Joined a revolt someone else started.', '🚪', 'participation', 'common', ['revoltsJoined', 1]],
  ['wanderer', 'Wanderer', 'Found a home in ten revolts.', '🧭', 'participation', 'uncommon', ['revoltsJoined', 10]],
  ['everywhere_at_once', 'Everywhere at Once', 'Fifty revolts joined and fifty thousand messages sent.', '🌐', 'participation', 'legendary', ['revoltsJoined', 50], ['messagesSent', 50_000]],
  ['founder', 'Founder', 'Started a revolt.', '🏴', 'leadership', 'common', ['revoltsCreated', 1]],
  ['movement_builder', 'Movement Builder', 'Founded five revolts.', '🏗️', 'leadership', 'rare', ['revoltsCreated', 5]],
  ['commander', 'Commander', 'Founded three revolts and gathered a hundred followers.', '🎖️', 'leadership', 'epic', ['revoltsCreated', 3], ['followers', 100]],
  ['icon_of_the_revolution', 'Icon of the Revolution', 'Ten revolts, a thousand followers and $10,000 raised.', '👑', 'leadership', 'legendary', ['revoltsCreated', 10], ['followers', 1_000], ['totalRaised', 1_000_000]],
  ['first_gift', 'First Gift', 'Gave to a cause for the first time.', '🎁', 'fundraising', 'common', ['totalDonated', 1]],
  ['patron', 'Patron', 'Gave $100 to the causes you believe in.', '🤲', 'fundraising', 'uncommon', ['totalDonated', 10_000]],
  ['benefactor', 'Benefactor', 'Gave $1,000 to the causes you believe in.', '💎', 'fundraising', 'epic', ['totalDonated', 100_000]],
  ['first_funds', 'First Funds', 'Your revolt received its first donation.', '🪙', 'fundraising', 'common', ['totalRaised', 1]],
  ['war_chest', 'War Chest', 'Raised $1,000 for your revolts.', '💰', 'fundraising', 'rare', ['totalRaised', 100_000]],
  ['treasury', 'Treasury', 'Raised $10,000 for your revolts.', '🏦', 'fundraising', 'legendary', ['totalRaised', 1_000_000]],
  ['first_letter', 'First Letter', 'Completed a letter of the course.', '✉️', 'education', 'common', ['lettersCompleted', 1]],
  ['awakened', 'Awakened', 'Completed five letters of the course.', '🌅', 'education', 'uncommon', ['lettersCompleted', 5]],
  ['halfway_there', 'Halfway There', 'Completed fifteen letters of the course.', '📚', 'education', 'rare', ['lettersCompleted', 15]],
  ['graduate', 'Graduate', 'Completed every letter of the course.', '🎓', 'education', 'epic', ['coursesCompleted', 1]],
  ['teacher', 'Teacher', 'Completed the course and gathered fifty followers who learn from you.', '🧑‍🏫', 'education', 'legendary', ['coursesCompleted', 1], ['followers', 50]],
  ['first_call', 'First Call', 'Spent a minute in a voice channel.', '📞', 'voice', 'common', ['voiceMinutes', 1]],
  ['orator', 'Orator', 'An hour in voice channels.', '🎙️', 'voice', 'uncommon', ['voiceMinutes', 60]],
  ['broadcaster', 'Broadcaster', 'Ten hours in voice channels.', '📻', 'voice', 'rare', ['voiceMinutes', 600]],
  ['marathon', 'Marathon', 'A hundred hours in voice channels.', '🏃', 'voice', 'epic', ['voiceMinutes', 6_000]],
  ['show_and_tell', 'Show and Tell', 'Shared your screen for a minute.', '🖥️', 'voice', 'common', ['screenShareMinutes', 1]],
  ['presenter', 'Presenter', 'Shared your screen for an hour.', '📽️', 'voice', 'rare', ['screenShareMinutes', 60]],
  ['first_follower', 'First Follower', 'Someone follows you.', '👣', 'social', 'common', ['followers', 1]],
  ['networker', 'Networker', 'Follows ten people.', '🤝', 'social', 'common', ['following', 10]],
  ['rising_voice', 'Rising Voice', 'Fifty people follow you.', '📈', 'social', 'uncommon', ['followers', 50]],
  ['appreciated', 'Appreciated', 'Ten reactions from others to what you wrote.', '👍', 'social', 'uncommon', ['reactionsReceived', 10]],
  ['cheerleader', 'Cheerleader', 'Reacted a hundred times to what others wrote.', '🎉', 'social', 'uncommon', ['reactionsGiven', 100]],
  ['influencer', 'Influencer', 'A hundred people follow you.', '🌟', 'social', 'rare', ['followers', 100]],
  ['beloved', 'Beloved', 'A thousand reactions from others to what you wrote.', '❤️', 'social', 'epic', ['reactionsReceived', 1_000]],
  ['movement', 'A Movement of Your Own', 'Ten thousand people follow you.', '🔥', 'social', 'legendary', ['followers', 10_000]],
];

function define([id, name, description, icon, category, rarity, ...needs]: Entry): AchievementDefinition {
  const requirements = needs.map(([type, value]) => ({ type, value, description: MEASURES[type].say(value) }));
  return achievementDefinitionSchema.parse({ id, name, description, icon, category, requirements, rarity });
}

/** A catalogue: its ids are unique (they name the achievements in the event store). */
export function catalogueOf(definitions: readonly AchievementDefinition[]): readonly AchievementDefinition[] {
  const ids = new Set<string>();
  for (const { id } of definitions) {
    if (ids.has(id)) throw new Error(`achievement ${id} is defined twice`);
    ids.add(id);
  }
  return definitions;
}

/** Every achievement, in display order. Add freely: users who already meet a new one get it (the reactor's sweep). */
export const ACHIEVEMENTS = catalogueOf(ENTRIES.map(define));

const byId = new Map(ACHIEVEMENTS.map((achievement) => [achievement.id, achievement]));

export const achievementById = (id: string): AchievementDefinition | undefined => byId.get(id);

import { describe, expect, it } from 'vitest';
import { ACHIEVEMENTS, CATEGORIES, catalogueOf, due, meets, RARITIES, requirementTypeSchema } from '../../../src/commands/achievements/catalogue.ts';

const byId = (id: string) => ACHIEVEMENTS.find((achievement) => achievement.id === id)!;

describe('the achievements catalogue', () => {
  it('has at least 24 achievements, over all six categories and all five rarities, each requirement type used', () => {
    expect(ACHIEVEMENTS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(ACHIEVEMENTS.map((a) => a.category))).toEqual(new Set(CATEGORIES));
    expect(new Set(ACHIEVEMENTS.map((a) => a.rarity))).toEqual(new Set(RARITIES));
    expect(new Set(ACHIEVEMENTS.flatMap((a) => a.requirements.map((r) => r.type)))).toEqual(new Set(requirementTypeSchema.options));
  });

  it('names each achievement once, and refuses a catalogue that does not', () => {
    expect(new Set(ACHIEVEMENTS.map((a) => a.id)).size).toBe(ACHIEVEMENTS.length);
    expect(() => catalogueOf([byId('founder'), byId('first_words'), byId('founder')])).toThrow(/founder is defined twice/);
  });

  it('describes each requirement in words from its measure and value', () => {
    expect(byId('conversationalist').requirements).toEqual([{ type: 'messagesSent', value: 100, description: 'Send 100 messages' }]);
    expect(byId('patron').requirements[0]!.description).toBe('Donate $100 in total');
    expect(byId('first_follower').requirements[0]!.description).toBe('Be followed by 1 person');
    expect(byId('orator').requirements[0]!.description).toBe('Spend 60 minutes in voice channels');
  });
});

describe('meeting requirements', () => {
  it('needs every requirement: counts as they are, money in cents, time in whole minutes of milliseconds', () => {
    expect(meets(byId('first_words'), {})).toBe(false);
    expect(meets(byId('first_words'), { messagesSent: 1 })).toBe(true);
    expect(meets(byId('patron'), { totalDonated: 9_999 })).toBe(false);
    expect(meets(byId('patron'), { totalDonated: 10_000 })).toBe(true);
    expect(meets(byId('first_call'), { voiceMs: 59_999 })).toBe(false);
    expect(meets(byId('first_call'), { voiceMs: 60_000 })).toBe(true);
    expect(meets(byId('commander'), { revoltsCreated: 3, followers: 99 })).toBe(false);
    expect(meets(byId('commander'), { revoltsCreated: 3, followers: 100 })).toBe(true);
  });

  it('is due when met and not unlocked yet, in catalogue order', () => {
    const counters = { revoltsCreated: 5, followers: 1 };
    expect(due(ACHIEVEMENTS, counters, new Set()).map((a) => a.id)).toEqual(['founder', 'movement_builder', 'first_follower']);
    expect(due(ACHIEVEMENTS, counters, new Set(['founder', 'first_follower'])).map((a) => a.id)).toEqual(['movement_builder']);
  });
});

import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/commands/decider.ts';
import { AppError } from '../../../src/commands/errors.ts';
import { messageDecider } from '../../../src/commands/messages/decide.ts';
import { revoltDecider, revoltStream } from '../../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../../src/commands/revolts/state.ts';
import { assertVerificationLevel, verificationApplies, verificationShortfall } from '../../../src/commands/revolts/verification-level.ts';
import { userDecider, userStream } from '../../../src/commands/users/decide.ts';
import type { AccountStanding } from '../../../src/commands/users/standing.ts';
import { voiceChannelDecider } from '../../../src/commands/voice/decide.ts';
import { given } from '../../support/decider.ts';
import { ALICE, contextOf, joinVoice, MOD, OWNER, R, revoltHistory, SMALL, VOICE, voiceScene } from '../voice-scene.ts';

/** The scene's members all joined at t0; an account registered at t0 too. */
const t0 = '2026-01-01T00:00:00.000Z';
const after = (minutes: number) => new Date(Date.parse(t0) + minutes * 60_000).toISOString();
const base = fold(revoltDecider, revoltHistory());
const atLevel = (verificationLevel: number, revolt: RevoltState = base): RevoltState => ({ ...revolt, settings: { ...revolt.settings, verificationLevel } });
const verified: AccountStanding = { emailVerified: true, registeredAt: t0 };
const unverified: AccountStanding = { emailVerified: false, registeredAt: t0 };

describe('verification levels (given a member who joined at t0)', () => {
  it('level 0 asks nothing', () => {
    expect(verificationApplies(atLevel(0), ALICE)).toBe(false);
    expect(verificationShortfall(atLevel(0), ALICE, undefined, t0)).toBeNull();
  });

  it('level 1: a verified email, at once', () => {
    expect(verificationShortfall(atLevel(1), ALICE, unverified, after(60 * 24 * 365))).toEqual({ level: 1, missing: ['verified_email'] });
    expect(verificationShortfall(atLevel(1), ALICE, verified, t0)).toBeNull();
  });

  it('level 2: also an account registered more than 5 minutes ago', () => {
    expect(verificationShortfall(atLevel(2), ALICE, verified, after(4))).toEqual({ level: 2, missing: ['account_age'], availableAt: after(5) });
    expect(verificationShortfall(atLevel(2), ALICE, unverified, after(1))).toEqual({ level: 2, missing: ['verified_email', 'account_age'], availableAt: after(5) });
    expect(verificationShortfall(atLevel(2), ALICE, verified, after(5))).toBeNull();
  });

  it('level 3: also a member of this revolt for more than 10 minutes', () => {
    const youngAccount = { emailVerified: true, registeredAt: after(-1) };
    expect(verificationShortfall(atLevel(3), ALICE, verified, after(6))).toEqual({ level: 3, missing: ['membership_age'], availableAt: after(10) });
    expect(verificationShortfall(atLevel(3), ALICE, youngAccount, after(3))).toEqual({ level: 3, missing: ['account_age', 'membership_age'], availableAt: after(10) });
    expect(verificationShortfall(atLevel(3), ALICE, verified, after(10))).toBeNull();
  });

  it('level 4: also a member for more than 24 hours', () => {
    expect(verificationShortfall(atLevel(4), ALICE, verified, after(11))).toEqual({ level: 4, missing: ['membership_age'], availableAt: after(24 * 60) });
    expect(verificationShortfall(atLevel(4), ALICE, unverified, after(24 * 60))).toEqual({ level: 4, missing: ['verified_email'] });
    expect(verificationShortfall(atLevel(4), ALICE, verified, after(24 * 60))).toBeNull();
  });

  it('one about to join (not a member yet) is counted a member from now', () => {
    const outsider = '9'.repeat(24);
    expect(verificationShortfall(atLevel(3), outsider, verified, after(60))).toEqual({ level: 3, missing: ['membership_age'], availableAt: after(70) });
  });

  it('the owner and members holding a role are exempt; the standing is then not needed', () => {
    for (const userId of [OWNER, MOD]) {
      expect(verificationApplies(atLevel(4), userId)).toBe(false);
      expect(verificationShortfall(atLevel(4), userId, undefined, t0)).toBeNull();
    }
    expect(verificationApplies(atLevel(1), ALICE)).toBe(true);
    expect(() => verificationShortfall(atLevel(1), ALICE, undefined, t0)).toThrow(/not looked up/);
  });

  it('the refusal is verification_required (403) with what is missing in its details', () => {
    let caught: unknown;
    try {
      assertVerificationLevel(atLevel(2), ALICE, unverified, after(2));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 403, code: 'verification_required', details: { level: 2, missing: ['verified_email', 'account_age'], availableAt: after(5) } });
    expect((caught as AppError).message).toMatch(/verified email address and an account older than 5 minutes/);
  });
});

describe('enforced where members speak', () => {
  const GENERAL = 'c'.repeat(24);
  const send = (revolt: RevoltState, account: AccountStanding | undefined, at: string) =>
    ({ type: 'SendMessage', messageId: 'd'.repeat(24), channelId: GENERAL, authorId: ALICE, content: 'hello', revolt, ...(account && { account }), at }) as const;

  it('sending a message', () => {
    given(messageDecider).when(send(atLevel(1), unverified, after(1))).thenFails(403, 'verification_required');
    given(messageDecider).when(send(atLevel(3), verified, after(9))).thenFails(403, 'verification_required');
    given(messageDecider).when(send(atLevel(3), verified, after(10))).then((events) => expect(events.map((e) => e.type)).toEqual(['MessageSent']));
  });

  it("joining voice on one's own; a moderator moving a member in vouches for them", () => {
    const revolt = atLevel(2);
    given(voiceChannelDecider).when(joinVoice({ userId: ALICE, channelId: VOICE, revolt, account: unverified, at: after(6) })).thenFails(403, 'verification_required');
    given(voiceChannelDecider)
      .when(joinVoice({ userId: ALICE, channelId: VOICE, revolt, account: verified, at: after(6) }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['VoiceSessionStarted', 'VoiceParticipantJoined']));
    given(voiceChannelDecider)
      .when(joinVoice({ userId: ALICE, channelId: VOICE, revolt, movedBy: MOD, movedFrom: SMALL, at: after(1) }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['VoiceSessionStarted', 'VoiceParticipantJoined']));
  });

  it('the voice service looks the joiner’s account up from their stream', async () => {
    const scene = await voiceScene();
    const settings: RevoltEvent = { type: 'RevoltUpdated', data: { revoltId: R, changes: { settings: { verificationLevel: 1 } }, updatedAt: new Date().toISOString() } };
    await scene.revolt(settings);
    const tokenHash = 'f'.repeat(64);
    const registration = { type: 'RegisterUser', userId: ALICE, email: 'alice@example.com', username: 'alice', discriminator: '0001', passwordHash: 'h', userType: 'supporter', link: { tokenId: 'e'.repeat(24), tokenHash }, at: new Date().toISOString() } as const;
    await scene.commands.execute(userStream(ALICE), userDecider, registration, contextOf(ALICE));
    await expect(scene.voice.join(ALICE, VOICE)).rejects.toMatchObject({ code: 'verification_required', details: { missing: ['verified_email'] } });
    expect(await scene.channelEvents(VOICE)).toEqual([]);
    await scene.commands.execute(userStream(ALICE), userDecider, { type: 'VerifyEmail', tokenHash, at: new Date().toISOString() }, contextOf(ALICE));
    expect((await scene.voice.join(ALICE, VOICE)).participants.map((p) => p.userId)).toEqual([ALICE]);
    const { state } = await scene.commands.load(revoltStream(R), revoltDecider);
    expect(state.settings.verificationLevel).toBe(1);
  });
});

/**
 * A revolt with voice channels in an event store, and the voice service on it, for the tests of voice processes
 * and of the reactors that take their steps. owner; mod (a role at 10 with MOVE_MEMBERS and the other voice
 * powers); alice, bob, carol. Channels: general (text), voice, small (voice, maxMembers 2), video (video).
 */
import { buildEventCatalogue } from '../../src/catalogue.ts';
import type { Decider } from '../../src/commands/decider.ts';
import { CommandHandler, type CommandContext } from '../../src/commands/handler.ts';
import type { Permission } from '../../src/commands/permissions/catalogue.ts';
import { featureLookup } from '../../src/commands/progress/access.ts';
import { revoltDecider, revoltStream } from '../../src/commands/revolts/decide.ts';
import type { ChannelSettings, RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { VoiceChannelCommandOf } from '../../src/commands/voice/commands.ts';
import { voiceChannelDecider, voiceChannelStream, voiceUserStream } from '../../src/commands/voice/decide.ts';
import type { VoiceEventOf } from '../../src/commands/voice/events.ts';
import type { Stay } from '../../src/commands/voice/settle.ts';
import { now } from '../../src/commands/voice/steps.ts';
import { createVoiceCommands, type VoiceCommands } from '../../src/commands/voice/execute.ts';
import type { Steps } from '../../src/commands/voice/steps.ts';
import type { EventCatalogue } from '../../src/events/catalogue.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/events/store/port.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { UNGATED } from '../support/features.ts';

const id = (c: string) => c.repeat(24);
export const R = id('a');
const EVERYONE = id('b');
export const [GENERAL, VOICE, SMALL, VIDEO] = [id('c'), id('d'), id('e'), id('f')];
export const MOD_ROLE = id('7');
export const [OWNER, MOD, ALICE, BOB, CAROL] = [id('1'), id('2'), id('3'), id('4'), id('5')];

const t0 = '2026-01-01T00:00:00.000Z';
const POWERS: Permission[] = ['MUTE_MEMBERS', 'DEAFEN_MEMBERS', 'MOVE_MEMBERS'];

/** A voice or video channel of the revolt R, created at t0. */
export const media = (channelId: string, name: string, type: 'voice' | 'video', settings: Partial<ChannelSettings> = {}): RevoltEvent => ({
  type: 'ChannelCreated',
  data: {
    revoltId: R,
    channelId,
    name,
    type,
    position: 1,
    settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false, bitrate: 64_000, region: 'auto', ...settings },
    createdAt: t0,
  },
});

/** A JoinVoice from a first session with every mute and deaf flag off; `fields` name the rest. */
export const joinVoice = (
  fields: Pick<VoiceChannelCommandOf<'JoinVoice'>, 'userId' | 'channelId' | 'revolt' | 'at'> & Partial<VoiceChannelCommandOf<'JoinVoice'>>,
): VoiceChannelCommandOf<'JoinVoice'> => ({
  type: 'JoinVoice',
  sessionId: '0'.repeat(24),
  selfMute: false,
  selfDeaf: false,
  serverMute: false,
  serverDeaf: false,
  ...fields,
});

export function revoltHistory(): RevoltEvent[] {
  const events: RevoltEvent[] = revoltDecider.decide(
    { type: 'CreateRevolt', revoltId: R, everyoneRoleId: EVERYONE, defaultChannelId: GENERAL, inviteCode: 'INVITE01', owner: { userId: OWNER, username: 'owner' }, name: 'R', description: '', settings: {}, features: UNGATED, at: t0 },
    revoltDecider.initialState,
  );
  for (const [userId, username] of [[MOD, 'mod'], [ALICE, 'alice'], [BOB, 'bob'], [CAROL, 'carol']] as const) {
    events.push({ type: 'MemberJoined', data: { revoltId: R, revoltName: 'R', userId, username, isOwner: false, joinedAt: t0 } });
  }
  events.push(
    { type: 'RoleCreated', data: { revoltId: R, roleId: MOD_ROLE, name: 'mod', color: '#ffffff', permissions: POWERS, position: 10, isManaged: false, createdAt: t0 } },
    { type: 'MemberRoleGranted', data: { revoltId: R, userId: MOD, roleId: MOD_ROLE, by: OWNER, at: t0 } },
    media(VOICE, 'voice', 'voice'),
    media(SMALL, 'small', 'voice', { maxMembers: 2 }),
    media(VIDEO, 'video', 'video'),
  );
  return events;
}

/** Appends what it is given: the scene's events go through the handler (envelopes, the catalogue's validation). */
const given: Decider<RevoltEvent[], null, RevoltEvent> = { initialState: null, evolve: (state) => state, decide: (events) => events };

export const contextOf = (actorId: string): CommandContext => ({ actorId, correlationId: `test-${actorId}`, causationId: `test-${actorId}` });

export interface VoiceScene {
  store: EventStore;
  catalogue: EventCatalogue;
  commands: CommandHandler;
  /** The voice service, as the HTTP routes and the gateway use it. */
  voice: VoiceCommands;
  /** Steps of a voice process taken by `actorId` outside the service (the first step of a join a crash cut short). */
  steps(actorId: string): Steps;
  /**
   * The first step of a join of `userId`, as a crash would leave it: the channel let them in (JoinVoice, `extra`
   * for a move), nothing followed. Returns the stay it began.
   */
  joinCutShort(userId: string, channelId: string, extra?: Partial<VoiceChannelCommandOf<'JoinVoice'>>): Promise<Stay>;
  /** Appends revolt events (a kick, an overwrite…); returns them recorded. */
  revolt(...events: RevoltEvent[]): Promise<RecordedEvent[]>;
  /** The events of a voice channel's stream, and of a user's. */
  channelEvents(channelId: string): Promise<RecordedEvent[]>;
  userEvents(userId: string): Promise<RecordedEvent[]>;
}

export async function voiceScene(store: EventStore = new MemoryEventStore()): Promise<VoiceScene> {
  const catalogue = buildEventCatalogue();
  const commands = new CommandHandler(store, { catalogue });
  const revolt = async (...events: RevoltEvent[]) => (await commands.execute(revoltStream(R), given, events, contextOf(OWNER))).events;
  await revolt(...revoltHistory());
  const channels = new Set([GENERAL, VOICE, SMALL, VIDEO]);
  const voice = createVoiceCommands({ commands, channelDirectory: { revoltOf: async (channelId) => (channels.has(channelId) ? R : null) }, features: featureLookup(commands) });
  return {
    store,
    catalogue,
    commands,
    voice,
    steps: (actorId) => ({
      run: (streamId, decider, command) => commands.execute(streamId, decider, command, contextOf(actorId)),
      load: (streamId, decider) => commands.load(streamId, decider),
    }),
    async joinCutShort(userId, channelId, extra = {}) {
      const { state } = await commands.load(revoltStream(R), revoltDecider);
      const join = { type: 'JoinVoice', channelId, userId, revolt: state, sessionId: '0'.repeat(24), selfMute: false, selfDeaf: false, serverMute: false, serverDeaf: false, at: now(), ...extra } as const;
      const { events } = await commands.execute(voiceChannelStream(channelId), voiceChannelDecider, join, contextOf(userId));
      return (events.find((e) => e.type === 'VoiceParticipantJoined') as unknown as VoiceEventOf<'VoiceParticipantJoined'>).data;
    },
    revolt,
    channelEvents: (channelId) => store.readStream(voiceChannelStream(channelId)),
    userEvents: (userId) => store.readStream(voiceUserStream(userId)),
  };
}

export const overwrite = (channelId: string, targetId: string, deny: Permission[]): RevoltEvent => ({
  type: 'ChannelPermissionsSet',
  data: { revoltId: R, channelId, overwrite: { type: 'member', id: targetId, allow: [], deny }, at: new Date().toISOString() },
});

export const kicked = (userId: string): RevoltEvent => ({ type: 'MemberKicked', data: { revoltId: R, userId, by: OWNER, at: new Date().toISOString() } });

// Voice in the chaos run: participants that join a voice channel through the voice gateway (a socket, IDENTIFY, the
// `join` voice request: the domain join records the stay, and the room opens on the node behind the socket; no media
// flows), and what must hold of them after each phase.
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { WebSocket } from 'ws';

/** What an answered join says is recorded: the user's stay in the channel's session, at or before `position`. */
export interface VoiceJoin {
  userId: string;
  channelId: string;
  sessionId: string;
  position: number;
}

interface Frame {
  op: string;
  s?: number;
  d?: any;
}

/**
 * One voice participant on one socket. It does not reconnect: when its node dies, its socket is gone and so is it,
 * as for a client whose network went with the node. `closedAt` says when the socket closed.
 */
export class VoiceParticipant {
  closedAt: number | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 0;

  private constructor(
    private readonly socket: WebSocket,
    readonly userId: string,
  ) {
    socket.on('close', () => {
      clearInterval(this.heartbeat);
      this.closedAt ??= Date.now();
    });
  }

  /** Opens a socket on `url`, IDENTIFYs with `token` and joins `channelId`; null if any step fails within 30 s. */
  static async join(url: string, user: { id: string; token: string }, channelId: string): Promise<{ participant: VoiceParticipant; join: VoiceJoin } | null> {
    const socket = new WebSocket(url);
    const participant = new VoiceParticipant(socket, user.id);
    socket.on('error', () => {});
    const answer = new Promise<any>((resolve) => {
      const timer = setTimeout(() => resolve(null), 30_000);
      socket.once('close', () => resolve(null));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        participant.seq = Math.max(participant.seq, frame.s ?? 0);
        if (frame.op === 'HELLO') {
          participant.heartbeat = setInterval(() => socket.send(JSON.stringify({ op: 'HEARTBEAT', d: participant.seq })), Math.max(1000, frame.d.heartbeatInterval * 0.5));
          socket.send(JSON.stringify({ op: 'IDENTIFY', d: { token: user.token } }));
        } else if (frame.op === 'READY') {
          socket.send(JSON.stringify({ op: 'VOICE_REQUEST', d: { id: 1, method: 'join', data: { channelId } } }));
        } else if (frame.op === 'VOICE_RESPONSE' && frame.d?.id === 1) {
          clearTimeout(timer);
          resolve(frame.d.ok ? frame.d.data : null);
        }
      });
    });
    const joined = await answer;
    if (!joined) {
      participant.close();
      return null;
    }
    return { participant, join: { userId: user.id, channelId, sessionId: joined.sessionId, position: Number(joined.position ?? 0) } };
  }

  get open(): boolean {
    return this.closedAt === null;
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.close();
  }
}

/** Who is in each voice session by the store: `sessionId:userId` of every stay joined and not left. */
export function activeStays(events: readonly RecordedEvent[]): Set<string> {
  const active = new Set<string>();
  for (const event of events) {
    const d = event.data as { sessionId: string; userId: string };
    if (event.type === 'VoiceParticipantJoined') active.add(`${d.sessionId}:${d.userId}`);
    else if (event.type === 'VoiceParticipantLeft') active.delete(`${d.sessionId}:${d.userId}`);
  }
  return active;
}

/**
 * After a phase, every answered join's stay, by the store:
 * - a participant whose socket is open is still in that session (nothing ended a live participant's stay);
 * - a participant whose socket closed (its node died) is no longer in it: the system noticed the dead socket and
 *   recorded the leave. The run re-checks until this holds or its settle time (the recovery bound) runs out.
 * (That the join's VoiceParticipantJoined is in the store once is checkAcknowledged's.)
 */
export function checkVoice(participants: ReadonlyArray<{ participant: Pick<VoiceParticipant, 'closedAt'>; join: VoiceJoin }>, events: readonly RecordedEvent[], now = Date.now()): string[] {
  const active = activeStays(events);
  const problems: string[] = [];
  for (const { participant, join } of participants) {
    const inSession = active.has(`${join.sessionId}:${join.userId}`);
    if (participant.closedAt === null && !inSession) problems.push(`voice: ${join.userId} left session ${join.sessionId} though its socket is open`);
    if (participant.closedAt !== null && inSession) {
      problems.push(`voice: ${join.userId} still in session ${join.sessionId} of channel ${join.channelId} ${Math.round((now - participant.closedAt) / 1000)} s after its socket closed`);
    }
  }
  return problems;
}

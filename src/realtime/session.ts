import type { DispatchFrame } from './protocol.ts';
import type { Viewer } from './viewer.ts';

/**
 * Where a replay starts so that it regenerates exactly the dispatches after some sequence number: from the event
 * at `position` (inclusive), dropping the first `skip` dispatches it generates (those the client already has).
 */
export interface ResumePoint {
  position: number;
  skip: number;
}

/** Dispatches per event and session never exceed this (the event, plus one synthetic dispatch). */
const SLOTS = 8;

/**
 * The positions of a session's recent dispatches, so that a RESUME naming any recent sequence number maps to a
 * point in the event store. The anchor is the resume point of `anchorSeq`; entry i holds (position, index among
 * the dispatches of that event) of sequence `anchorSeq + 1 + i`, packed as position * 8 + index. Bounded: past
 * `capacity` the oldest entry becomes the anchor; heartbeats (which carry the client's last sequence) move the
 * anchor forward too, so usually only the dispatches of the last heartbeat interval are held.
 */
export class ResumeRing {
  anchorSeq = 0;
  anchor: ResumePoint = { position: 1, skip: 0 };
  private buffer = new Float64Array(16);
  private head = 0;
  private count = 0;

  constructor(private readonly capacity: number) {}

  get lastSeq(): number {
    return this.anchorSeq + this.count;
  }

  reset(anchorSeq: number, anchor: ResumePoint): void {
    this.anchorSeq = anchorSeq;
    this.anchor = anchor;
    this.head = 0;
    this.count = 0;
  }

  /** Restores a stored anchor and entries (a claimed session handed back unused). */
  restore(anchorSeq: number, anchor: ResumePoint, packed: readonly number[]): void {
    this.reset(anchorSeq, anchor);
    for (const entry of packed) {
      const { position, skip } = unpack(entry);
      this.record(position, skip - 1);
    }
  }

  record(position: number, index: number): void {
    if (this.count === this.capacity) this.dropOldest();
    if (this.count === this.buffer.length) this.grow();
    this.buffer[(this.head + this.count) % this.buffer.length] = position * SLOTS + index;
    this.count++;
  }

  /** The resume point of `seq`, or null when it is older than the anchor or newer than the last dispatch. */
  pointFor(seq: number): ResumePoint | null {
    if (seq === this.anchorSeq) return this.anchor;
    if (seq < this.anchorSeq || seq > this.lastSeq) return null;
    return unpack(this.buffer[(this.head + (seq - this.anchorSeq - 1)) % this.buffer.length]!);
  }

  /** The client confirmed receipt up to `seq`: forget the entries up to it. */
  ack(seq: number): boolean {
    if (seq <= this.anchorSeq || seq > this.lastSeq) return false;
    while (this.anchorSeq < seq) this.dropOldest();
    return true;
  }

  /** The packed entries after the anchor, oldest first. */
  entries(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.buffer[(this.head + i) % this.buffer.length]!);
    return out;
  }

  private dropOldest(): void {
    this.anchor = unpack(this.buffer[this.head]!);
    this.anchorSeq++;
    this.head = (this.head + 1) % this.buffer.length;
    this.count--;
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.buffer.length * 2, Math.max(this.capacity, 16)));
    for (let i = 0; i < this.count; i++) next[i] = this.buffer[(this.head + i) % this.buffer.length]!;
    this.buffer = next;
    this.head = 0;
  }
}

export function unpack(packed: number): ResumePoint {
  const index = packed % SLOTS;
  return { position: (packed - index) / SLOTS, skip: index + 1 };
}

/**
 * Resolves a client's RESUME sequence against a stored anchor and entries: the exact point when the sequence is
 * within them; past the last stored one (a node died before it could store its latest dispatches) the replay
 * recounts from the last stored point, which gives the same numbering because live delivery and replay route
 * with the same rules over the same states.
 */
export function resolveResume(anchorSeq: number, anchor: ResumePoint, entries: readonly number[], seq: number): ResumePoint | null {
  if (seq < anchorSeq) return null;
  if (seq === anchorSeq) return anchor;
  const i = seq - anchorSeq - 1;
  if (i < entries.length) return unpack(entries[i]!);
  const last = entries.length > 0 ? unpack(entries.at(-1)!) : anchor;
  return { position: last.position, skip: last.skip + (i - entries.length + 1) };
}

export type SessionState = 'replaying' | 'live' | 'closed';

/** What the gateway holds per socket connection (uWS user data points at it). */
export interface Connection {
  id: string;
  open: boolean;
  send(frame: string): void;
  /** Sends dispatches (frame i numbered seqs[i]) in one corked write; false when the socket went past its buffer limit and was closed. */
  sendDispatches(frames: readonly DispatchFrame[], seqs: readonly number[]): boolean;
  close(code: number, reason: string): void;
  bufferedAmount(): number;
  /** Resolves once the socket's buffer drained (or the socket closed). */
  drained(): Promise<void>;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
}

/** A gateway session: a user's stream of dispatches, numbered per session, and the state to resume it. */
export class Session implements Viewer {
  readonly revolts = new Map<string, Set<string>>();
  readonly ring: ResumeRing;
  seq = 0;
  state: SessionState = 'replaying';
  connection: Connection | null = null;
  /** Dispatches waiting for the end of the current batch (one corked write per socket and batch), with their numbers. */
  private outbox: DispatchFrame[] = [];
  private outboxSeqs: number[] = [];
  /** The anchor moved since the last checkpoint to Redis. */
  checkpointDue = false;
  /** Owner epoch in Redis: writes from an older owner of the session are refused. */
  epoch = 0;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly authSessionId: string,
    resumeWindow: number,
  ) {
    this.ring = new ResumeRing(resumeWindow);
  }

  /** Numbers a dispatch, remembers where it came from and queues its frame. */
  push(position: number, index: number, frame: DispatchFrame): void {
    this.seq++;
    this.ring.record(position, index);
    this.outbox.push(frame);
    this.outboxSeqs.push(this.seq);
  }

  /** The queued frames as text, dequeued (tests, diagnostics). */
  takeText(): string[] {
    const texts = this.outbox.map((frame, i) => frame.text(this.outboxSeqs[i]!));
    this.outbox = [];
    this.outboxSeqs = [];
    return texts;
  }

  ack(seq: number): void {
    if (this.ring.ack(seq)) this.checkpointDue = true;
  }

  /** Sends the queued frames; false when the connection is gone or was closed for reading too slowly. */
  flush(): boolean {
    if (this.outbox.length === 0) return true;
    const frames = this.outbox;
    const seqs = this.outboxSeqs;
    this.outbox = [];
    this.outboxSeqs = [];
    if (!this.connection?.open) return false;
    return this.connection.sendDispatches(frames, seqs);
  }
}

import { describe, expect, it } from 'vitest';
import { DispatchFrame } from '../../src/realtime/protocol.ts';
import { resolveResume, ResumeRing, Session } from '../../src/realtime/session.ts';

describe('ResumeRing: sequence numbers → resume points', () => {
  it('maps each recorded sequence to its event and how many of that event’s dispatches the client has', () => {
    const ring = new ResumeRing(100);
    ring.reset(0, { position: 11, skip: 0 }); // READY at position 10
    ring.record(12, 0); // seq 1
    ring.record(15, 0); // seq 2: an event with two dispatches for this session...
    ring.record(15, 1); // seq 3: ...e.g. MemberJoined then RevoltAvailable
    ring.record(20, 0); // seq 4
    expect(ring.lastSeq).toBe(4);
    expect(ring.pointFor(0)).toEqual({ position: 11, skip: 0 });
    expect(ring.pointFor(2)).toEqual({ position: 15, skip: 1 });
    expect(ring.pointFor(3)).toEqual({ position: 15, skip: 2 });
    expect(ring.pointFor(4)).toEqual({ position: 20, skip: 1 });
    expect(ring.pointFor(5)).toBeNull();
  });

  it('forgets what the client acknowledged, and the oldest entries past its capacity', () => {
    const ring = new ResumeRing(3);
    ring.reset(0, { position: 1, skip: 0 });
    for (let p = 1; p <= 5; p++) ring.record(p * 10, 0);
    expect(ring.anchorSeq).toBe(2);
    expect(ring.pointFor(1)).toBeNull();
    expect(ring.pointFor(2)).toEqual({ position: 20, skip: 1 });
    expect(ring.ack(4)).toBe(true);
    expect(ring.entries()).toHaveLength(1);
    expect(ring.pointFor(4)).toEqual({ position: 40, skip: 1 });
    expect(ring.ack(9)).toBe(false);
  });

  it('grows its buffer on demand and restores from what Redis stored', () => {
    const ring = new ResumeRing(1000);
    ring.reset(7, { position: 100, skip: 0 });
    for (let i = 0; i < 500; i++) ring.record(100 + i, i % 2);
    const copy = new ResumeRing(1000);
    copy.restore(ring.anchorSeq, ring.anchor, ring.entries());
    expect(copy.lastSeq).toBe(507);
    for (const seq of [7, 8, 300, 507]) expect(copy.pointFor(seq)).toEqual(ring.pointFor(seq));
  });

  it('resolves a RESUME exactly within the stored entries, and past them by recounting from the last one', () => {
    const ring = new ResumeRing(10);
    ring.reset(4, { position: 50, skip: 1 });
    ring.record(60, 0);
    ring.record(61, 0);
    const stored = ring.entries();
    expect(resolveResume(4, ring.anchor, stored, 3)).toBeNull();
    expect(resolveResume(4, ring.anchor, stored, 4)).toEqual({ position: 50, skip: 1 });
    expect(resolveResume(4, ring.anchor, stored, 6)).toEqual({ position: 61, skip: 1 });
    // Seq 9 was sent by a node that died before storing seqs 7-9: replay from seq 6's point, skipping three more.
    expect(resolveResume(4, ring.anchor, stored, 9)).toEqual({ position: 61, skip: 4 });
    expect(resolveResume(4, ring.anchor, [], 5)).toEqual({ position: 50, skip: 2 });
  });

  it('a session numbers its dispatches and frames them with the serialised payload', () => {
    const session = new Session('s', 'u', 'a', 16);
    session.ring.reset(0, { position: 1, skip: 0 });
    const shared = new DispatchFrame('MessageSent', '{"content":"hi"}');
    session.push(3, 0, shared);
    session.push(4, 0, new DispatchFrame('MessageDeleted', '{"messageId":"m"}'));
    expect(shared.text(123456789)).toBe('{"op":"DISPATCH","t":"MessageSent","d":{"content":"hi"},"s":123456789}');
    expect(shared.text(7)).toBe('{"op":"DISPATCH","t":"MessageSent","d":{"content":"hi"},"s":7}');
    expect(session.takeText().map((f) => JSON.parse(f))).toEqual([
      { op: 'DISPATCH', t: 'MessageSent', s: 1, d: { content: 'hi' } },
      { op: 'DISPATCH', t: 'MessageDeleted', s: 2, d: { messageId: 'm' } },
    ]);
    session.ack(1);
    expect(session.checkpointDue).toBe(true);
    expect(session.ring.anchor).toEqual({ position: 3, skip: 1 });
  });
});

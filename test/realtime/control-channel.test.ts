import { describe, expect, it } from 'vitest';
import { decodeControl, encodeControl, type ControlMessage } from '../../src/realtime/control-channel.ts';

describe('the control channel between gateway nodes', () => {
  it('decodes what it encodes, for every message', () => {
    const messages: ControlMessage[] = [
      { type: 'takeover', sessionId: 'a'.repeat(32) },
      { type: 'voice', kind: 'holder', nodeId: 'n1', userId: 'u1', holder: 'n1:s1' },
    ];
    for (const message of messages) expect(decodeControl(encodeControl(message))).toEqual(message);
  });

  it('ignores messages it does not know (a newer node’s), and throws on text that is not JSON', () => {
    expect(decodeControl(JSON.stringify({ type: 'bench-publish', topic: 'ch:1', count: 1 }))).toBeUndefined();
    expect(decodeControl(JSON.stringify({ type: 'takeover' }))).toBeUndefined();
    expect(() => decodeControl('{not json')).toThrow();
  });
});

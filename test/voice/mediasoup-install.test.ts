// The mediasoup worker that `npm ci` installs (scripts/mediasoup-worker.sh): on this kind of machine it is built
// from Debian's libraries, with libsrtp2 behind our libsrtp 3 compatibility layer (tools/mediasoup/subprojects/
// libsrtp3), which upstream never tests. So beyond "it starts", every SRTP crypto suite mediasoup offers must
// round-trip real RTP:
//
//   us ──RTP──▶ [A plain] ─producer─▶ consumer [B plain+SRTP] ──SRTP──▶ relay (us) ──SRTP──▶ [C plain+SRTP]
//      ─producer─▶ consumer [D plain] ──RTP──▶ us
//
// B protects (srtp_protect), C unprotects (srtp_unprotect). The relay checks that what crosses it is encrypted,
// with the suite's tag length, and corrupts the tag of a few packets; the payloads that come out of D must be
// exactly those sent into A, minus the corrupted ones.
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_BIN } from './support/participants.ts';
import { isRtcp, LOOPBACK, OPUS_PT, udpSocket } from './support/rtp.ts';

const SSRC = 0x5eed0001;
const SUITES: Array<{ suite: types.SrtpCryptoSuite; tagLength: number }> = [
  { suite: 'AEAD_AES_256_GCM', tagLength: 16 },
  { suite: 'AEAD_AES_128_GCM', tagLength: 16 },
  { suite: 'AES_CM_128_HMAC_SHA1_80', tagLength: 10 },
  { suite: 'AES_CM_128_HMAC_SHA1_32', tagLength: 4 },
];
const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
  },
];

/** Length of an RTP header: fixed part, CSRCs and the header extension (RFC 3550 5.1, 5.3.1). */
function rtpHeaderLength(packet: Buffer): number {
  let length = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) length += 4 + 4 * packet.readUInt16BE(length + 2);
  return length;
}

function rtpPacket(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // V=2, no padding, extension or CSRC
  header[1] = OPUS_PT;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 960) >>> 0, 4); // 20 ms of 48 kHz audio per packet
  header.writeUInt32BE(SSRC, 8);
  return Buffer.concat([header, payload]);
}

async function plainTransport(router: types.Router, srtp?: types.SrtpCryptoSuite): Promise<types.PlainTransport> {
  return router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: false,
    ...(srtp ? { enableSrtp: true, srtpCryptoSuite: srtp } : {}),
  });
}

describe.skipIf(!WORKER_BIN)(`mediasoup ${mediasoup.version} worker (${WORKER_BIN ?? 'not installed'})`, () => {
  let worker: types.Worker;
  const sockets: dgram.Socket[] = [];

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ workerBin: WORKER_BIN!, logLevel: 'warn' });
  });
  afterAll(() => {
    for (const socket of sockets) socket.close();
    worker?.close();
  });

  it('starts, and creates a router with audio and video codecs, a WebRtcTransport and a PlainTransport', async () => {
    expect(worker.closed).toBe(false);
    expect((await worker.dump()).pid).toBe(worker.pid);

    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const mimeTypes = router.rtpCapabilities.codecs!.map((c) => c.mimeType);
    expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264', 'video/rtx']));

    const webRtc = await router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ip: LOOPBACK },
        { protocol: 'tcp', ip: LOOPBACK },
      ],
    });
    expect(webRtc.iceCandidates.map((c) => [c.protocol, c.address])).toEqual([
      ['udp', LOOPBACK],
      ['tcp', LOOPBACK],
    ]);
    expect(webRtc.iceParameters.usernameFragment).toMatch(/\w+/);
    // The DTLS certificate and its fingerprints come from OpenSSL.
    expect(webRtc.dtlsParameters.fingerprints.map((f) => f.algorithm)).toContain('sha-256');
    expect(webRtc.dtlsState).toBe('new');

    const plain = await plainTransport(router, 'AEAD_AES_256_GCM');
    expect(plain.tuple.localPort).toBeGreaterThan(0);
    expect(plain.srtpParameters?.cryptoSuite).toBe('AEAD_AES_256_GCM');
    expect(Buffer.from(plain.srtpParameters!.keyBase64, 'base64')).toHaveLength(32 + 12);
    router.close();
  });

  it.each(SUITES)('round-trips RTP through SRTP with $suite', async ({ suite, tagLength }) => {
    const [sender, relay, receiver] = await Promise.all([udpSocket(), udpSocket(), udpSocket()]);
    sockets.push(sender, relay, receiver);
    const routerOut = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const routerIn = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    try {
      const a = await plainTransport(routerOut);
      const b = await plainTransport(routerOut, suite);
      const c = await plainTransport(routerIn, suite);
      const d = await plainTransport(routerIn);

      // Each SRTP side encrypts with its own key and decrypts with the other's; both reach each other via the relay.
      const relayPort = relay.address().port;
      await a.connect({ ip: LOOPBACK, port: sender.address().port });
      await b.connect({ ip: LOOPBACK, port: relayPort, srtpParameters: c.srtpParameters! });
      await c.connect({ ip: LOOPBACK, port: relayPort, srtpParameters: b.srtpParameters! });
      await d.connect({ ip: LOOPBACK, port: receiver.address().port });

      const producerA = await a.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: SSRC }],
          rtcp: { cname: 'mediasoup-install-test' },
        },
      });
      const consumerB = await b.consume({ producerId: producerA.id, rtpCapabilities: routerOut.rtpCapabilities });
      const producerC = await c.produce({ kind: 'audio', rtpParameters: consumerB.rtpParameters });
      const consumerD = await d.consume({ producerId: producerC.id, rtpCapabilities: routerIn.rtpCapabilities });
      expect(consumerD.paused).toBe(false);

      // Opus-like payloads: a TOC byte (CELT FB 20 ms, one frame) then bytes unique to this packet.
      const payloads = Array.from({ length: 25 }, () => Buffer.concat([Buffer.from([0xfc]), randomBytes(79)]));
      const hex = (b: Buffer) => b.toString('hex');
      // The relay corrupts the auth tag of these packets: C must reject them (authentication, not just decryption).
      const tampered = new Set([3, 11, 19]);
      const expected = payloads.filter((_, i) => !tampered.has(i)).map(hex);

      const crossing: Buffer[] = []; // RTP from B to C, as it crossed the relay
      relay.on('message', (packet, from) => {
        const fromB = from.port === b.tuple.localPort;
        if (fromB && !isRtcp(packet)) {
          crossing.push(Buffer.from(packet));
          const last = packet.length - 1;
          if (tampered.has(crossing.length - 1)) packet.writeUInt8(packet.readUInt8(last) ^ 0xff, last);
        }
        relay.send(packet, fromB ? c.tuple.localPort : b.tuple.localPort, LOOPBACK);
      });
      const received: string[] = [];
      const receivedSsrcs = new Set<number>();
      const enoughReceived = new Promise<void>((resolve) => {
        receiver.on('message', (packet) => {
          if (isRtcp(packet)) return;
          receivedSsrcs.add(packet.readUInt32BE(8));
          received.push(hex(packet.subarray(rtpHeaderLength(packet))));
          if (received.length === expected.length) resolve();
        });
      });

      for (const [seq, payload] of payloads.entries()) {
        sender.send(rtpPacket(1000 + seq, payload), a.tuple.localPort, LOOPBACK);
        await new Promise((r) => setTimeout(r, 5));
      }
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${received.length}/${expected.length} packets came out after 5 s`)), 5000),
      );
      await Promise.race([enoughReceived, timeout]);
      await new Promise((r) => setTimeout(r, 200)); // time for anything that should not come out

      // Out of D: exactly the payloads that went into A, in order, minus the tampered ones...
      expect(received).toEqual(expected);
      expect([...receivedSsrcs]).toEqual([consumerD.rtpParameters.encodings![0]!.ssrc]);
      // ...and what crossed between B and C was SRTP: the payload encrypted, then the suite's auth tag.
      expect(crossing).toHaveLength(payloads.length);
      for (const [i, packet] of crossing.entries()) {
        const body = packet.subarray(rtpHeaderLength(packet));
        expect(body.length).toBe(payloads[i]!.length + tagLength);
        expect(body.subarray(0, payloads[i]!.length).equals(payloads[i]!)).toBe(false);
      }
      const [statsC] = await c.getStats();
      expect(statsC!.rtpBytesReceived).toBeGreaterThan(0);
      const [statsD] = await consumerD.getStats();
      expect(statsD!.packetCount).toBe(expected.length);
    } finally {
      routerOut.close();
      routerIn.close();
    }
  });
});

// The real-browser voice test: headless Chromium from Debian (/usr/bin/chromium, installed by scripts/chromium.sh
// from `npm test`/stack.sh), driven by playwright-core, runs a small page with mediasoup-client (test/voice/browser/
// page.ts, bundled by esbuild now) against the real app: API, gateway with voice signalling, mediasoup workers,
// and the real engines. Two users join one voice channel through the gateway; one publishes fake-device audio (a
// tone from a WAV file) and simulcast video, the other receives it (inbound RTP bytes rising in its RTCPeerConnection
// stats) and is told the speaker is speaking; muting pauses the audio; unmuted, they are heard again; leaving ends the
// session; the recorded voiceSessions document and users' stats match.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../realtime/support.ts';
import { startVoiceServer, voiceRevolt, type VoiceServer } from './signalling-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** A loud, steady 440 Hz tone (16-bit PCM WAV, 48 kHz mono, 2 s; Chromium loops it) for the fake microphone: it speaks. */
function toneWav(seconds = 2, rate = 48_000): Buffer {
  const samples = seconds * rate;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(16_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return wav;
}

let server: VoiceServer;
let dir: string;
let http: Server;
let pageUrl: string;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run "bash scripts/chromium.sh" (apt-get install chromium) first`);
  dir = await mkdtemp(join(tmpdir(), 'rn-voice-browser-'));
  await build({
    entryPoints: [join(import.meta.dirname, 'browser', 'page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    outfile: join(dir, 'page.js'),
    logLevel: 'silent',
  });
  await writeFile(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>voice</title><script src="page.js"></script>');
  const files: Record<string, [string, string]> = { '/index.html': ['index.html', 'text/html'], '/page.js': ['page.js', 'text/javascript'] };
  http = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    void readFile(join(dir, file[0])).then((body) => res.writeHead(200, { 'content-type': file[1] }).end(body));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/index.html`;
  server = await startVoiceServer('voicebrowser');
  await writeFile(join(dir, 'tone.wav'), toneWav());
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${join(dir, 'tone.wav')}`],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  http?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Calls a method of the page's voice client (test/voice/browser/page.ts). */
function invoke<T = any>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(({ method, args }) => (globalThis as any).voiceClient[method](...args), { method, args }) as Promise<T>;
}

/** A property of the page's voice client. */
function read<T = any>(page: Page, property: string): Promise<T> {
  return page.evaluate((property) => (globalThis as any).voiceClient[property], property) as Promise<T>;
}

interface Bytes {
  audio: number;
  video: number;
}
const inbound = (page: Page) => invoke<Bytes>(page, 'inboundBytes');

/** Waits until the kinds asked for have received more bytes than in `from`, by at least `min` each. */
async function rising(page: Page, kinds: Array<keyof Bytes>, from: Bytes, min = 2000, timeoutMs = 20_000): Promise<Bytes> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await inbound(page);
    if (kinds.every((k) => now[k] - from[k] >= min)) return now;
    if (Date.now() > deadline) throw new Error(`inbound RTP not rising for ${kinds.join('+')}: from ${JSON.stringify(from)} to ${JSON.stringify(now)}; errors ${JSON.stringify(await read(page, 'errors'))}`);
    await sleep(250);
  }
}

/** Waits until the listener has been told `times` times that `userId` started speaking. */
async function heardSpeaking(listener: Page, userId: string, times: number): Promise<void> {
  await listener.waitForFunction(
    ({ userId, times }) =>
      (globalThis as any).voiceClient.dispatches.filter((d: { t: string; d: any }) => d.t === 'VoiceSpeakingChanged' && d.d.userId === userId && d.d.speaking).length >= times,
    { userId, times },
    { timeout: 20_000 },
  );
}

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(pageUrl);
  await page.waitForFunction(() => 'voiceClient' in globalThis);
  return page;
}

describe('voice in a real browser', () => {
  it('two users in one channel: media flows, the speaker is heard speaking, mute pauses it, leaving ends the recorded session', async () => {
    const { owner, member, voiceChannel } = await voiceRevolt(server);
    const [speaker, listener] = [await openPage(), await openPage()];
    const gateway = server.url();
    await invoke(speaker, 'connect', gateway, owner.token);
    await invoke(listener, 'connect', gateway, member.token);

    const joined = await invoke(speaker, 'join', voiceChannel);
    expect(joined).toMatchObject({ channelId: voiceChannel, mediaJoined: false, self: { userId: owner.id } });
    await invoke(listener, 'join', voiceChannel);
    expect(server.media.hasPeer(voiceChannel, owner.id) && server.media.hasPeer(voiceChannel, member.id)).toBe(true);

    const published = await invoke<{ audio: string; video: string }>(speaker, 'publish');
    const zero = { audio: 0, video: 0 };
    const flowing = await rising(listener, ['audio', 'video'], zero);
    const consumers = (await read<Array<{ type: string; data: any }>>(listener, 'events')).filter((e) => e.type === 'newConsumer').map((e) => e.data);
    expect(consumers.map((c) => [c.kind, c.producerId, c.producerUserId, c.source])).toEqual(
      expect.arrayContaining([
        ['audio', published.audio, owner.id, 'mic'],
        ['video', published.video, owner.id, 'webcam'],
      ]),
    );
    expect(consumers.find((c) => c.kind === 'video').type).toBe('simulcast');
    // The tone on the speaker's mic is heard by the audio-level observer: recorded, and dispatched to the listener.
    await heardSpeaking(listener, owner.id, 1);
    // Still flowing a moment later (not just the first packets).
    const later = await rising(listener, ['audio', 'video'], flowing);

    // Mute: the mic producer pauses, so the listener's audio consumer gets nothing more; video goes on.
    const muted = await invoke(speaker, 'setSelf', { selfMute: true });
    expect(muted).toMatchObject({ userId: owner.id, selfMute: true, isMuted: true });
    const audioConsumer = consumers.find((c) => c.kind === 'audio').id as string;
    await listener.waitForFunction(
      (id) => (globalThis as any).voiceClient.events.some((e: { type: string; data: any }) => e.type === 'producerPaused' && e.data.consumerId === id),
      audioConsumer,
    );
    await sleep(400); // packets already on their way
    const pausedAt = await inbound(listener);
    const afterPause = await rising(listener, ['video'], pausedAt);
    await sleep(1000);
    expect((await inbound(listener)).audio).toBe(pausedAt.audio);
    expect(afterPause.video).toBeGreaterThan(later.video);

    // Unmute: audio flows again, and they speak again.
    await invoke(speaker, 'setSelf', { selfMute: false });
    await rising(listener, ['audio'], await inbound(listener));
    // A mute ends speaking (VoiceStateChanged says muted, which is never speaking); unmuted, the tone is heard again.
    await heardSpeaking(listener, owner.id, 2);

    // Both leave: the session ends.
    const listenerLeft = await invoke(listener, 'leave');
    expect(listenerLeft).toMatchObject({ channelId: voiceChannel, sessionEnded: false });
    const speakerLeft = await invoke(speaker, 'leave');
    expect(speakerLeft).toMatchObject({ channelId: voiceChannel, sessionEnded: true });
    expect(server.media.hasPeer(voiceChannel, owner.id) || server.media.hasPeer(voiceChannel, member.id)).toBe(false);
    // The listener saw the session's events as dispatches (it may view the channel).
    const seen = (await read<Array<{ t: string }>>(listener, 'dispatches')).map((d) => d.t);
    expect(seen).toEqual(expect.arrayContaining(['VoiceParticipantJoined', 'VoiceStateChanged', 'VoiceStreamSet', 'VoiceParticipantLeft']));

    // The recorded session (read-your-writes on the leave's position).
    const position = String(speakerLeft.position);
    const sessions = await server.api.request('GET', '/v1/voice/sessions?active=false', { token: owner.token, headers: { 'x-min-position': position } });
    expect(sessions.status).toBe(200);
    const session = sessions.body.items.find((s: { channelId: string }) => s.channelId === voiceChannel);
    expect(session).toMatchObject({ id: joined.sessionId, isActive: false });
    expect(Date.parse(session.endedAt)).toBeGreaterThan(Date.parse(session.startedAt));
    expect(session.participants).toHaveLength(2);
    const row = (userId: string) => session.participants.find((p: { userId: string }) => p.userId === userId);
    for (const userId of [owner.id, member.id]) {
      const { joinedAt, leftAt } = row(userId);
      expect(Date.parse(leftAt)).toBeGreaterThan(Date.parse(joinedAt));
    }
    expect(row(owner.id)).toMatchObject({ streamId: published.audio, streams: { audio: published.audio, video: published.video }, isVideoEnabled: true });
    expect(row(member.id).streams).toEqual({});

    for (const user of [owner, member]) {
      const me = await server.api.request('GET', '/v1/users/@me', { token: user.token, headers: { 'x-min-position': position } });
      expect(me.status).toBe(200);
      expect(me.body.stats.voiceTime).toBeGreaterThan(0);
      expect(me.body.voiceState).toBeUndefined();
    }
    expect(await read(speaker, 'errors')).toEqual([]);
    expect(await read(listener, 'errors')).toEqual([]);
    await Promise.all([invoke(speaker, 'close'), invoke(listener, 'close')]);
  }, 90_000);
});

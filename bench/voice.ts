// Consumers per mediasoup worker: at how many does packet loss or CPU give out?
//
// One worker, one room, one producer fed RTP through a comedia PlainTransport (ffmpeg sending an Opus stream when it
// is installed, else Node's dgram with handcrafted Opus packets), then more and more consumers, each on its own
// PlainTransport to a local UDP sink. Per step: consumers, the worker's CPU % (getResourceUsage deltas), this
// process's CPU % (the sinks: if it nears 100 % the bench, not the worker, is the limit), packets expected (what the
// producer received × consumers) against packets the sinks received, and the loss. mediasoup's documented rule of
// thumb is ~500 consumers per worker (https://mediasoup.org/documentation/v3/scalability/), for a mix with video.
//
//   npm run bench:voice
//   BENCH_STEPS=50,100,200,400,500,800,1000,1500,2000  consumers at each step
//   BENCH_WINDOW_MS=5000                       measuring window per step
//   BENCH_LOAD=audio|video                     audio: 50 pkt/s of ~100 B (Opus 64 kbit/s); video: 250 pkt/s of
//                                              ~1.1 kB (~2.2 Mbit/s per consumer, a 720p simulcast layer's worth)
//   BENCH_SOURCE=ffmpeg|node                   who sends the producer's RTP (audio load only; default ffmpeg if found)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { pino } from 'pino';
import type { VoiceMedia } from '../src/voice/media/index.ts';
import { PlainTransportParticipant, startMedia, WORKER_BIN } from '../test/voice/support/participants.ts';
import { OpusSender } from '../test/voice/support/rtp.ts';

const STEPS = (process.env.BENCH_STEPS ?? '50,100,200,400,500,800,1000,1500,2000').split(',').map(Number);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 5000);
const LOAD = process.env.BENCH_LOAD === 'video' ? 'video' : 'audio';
const LOSS_LIMIT = 1; // % beyond which a step "gives out"
const CPU_LIMIT = 90; // %
const CHANNEL = 'bench';
const SSRC = 0x2bad_cafe;

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const SOURCE = LOAD === 'audio' && (process.env.BENCH_SOURCE ?? (hasFfmpeg() ? 'ffmpeg' : 'node')) === 'ffmpeg' ? 'ffmpeg' : 'node';

function startFfmpeg(ip: string, port: number): ChildProcess {
  // A 440 Hz tone encoded live to Opus (64 kbit/s, 20 ms frames), sent as RTP with our payload type and SSRC.
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  args.push('-c:a', 'libopus', '-b:a', '64k', '-ac', '2', '-ar', '48000', '-frame_duration', '20', '-application', 'voip');
  // No RTCP: its packets come from another port, and the comedia transport would lock onto whichever arrives first.
  args.push('-payload_type', '100', '-ssrc', String(SSRC), '-rtpflags', 'skip_rtcp', '-f', 'rtp', `rtp://${ip}:${port}`);
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  ffmpeg.on('exit', (code, signal) => {
    if (!ffmpeg.killed) console.error(`ffmpeg exited (${code ?? signal})`);
  });
  process.once('exit', () => ffmpeg.kill('SIGTERM'));
  return ffmpeg;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STEP_TIMEOUT_MS = 30_000;
/** A request the worker does not answer within 30 s means it gave out (CPU starved, its channel unread). */
function within<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker did not answer a request within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const pct = (n: number) => `${n.toFixed(1)}%`;

async function main(): Promise<void> {
  if (!WORKER_BIN) throw new Error('no mediasoup worker: run bash scripts/mediasoup-worker.sh');
  const media = await startMedia({ nodeId: 'bench', logger: pino({ level: 'warn' }), maxConsumersPerRouter: Number.MAX_SAFE_INTEGER });
  const consumers: PlainTransportParticipant[] = [];
  let ffmpeg: ChildProcess | undefined;
  let sender: OpusSender | undefined;
  try {
    await run(media, consumers, async (target) => {
      if (SOURCE === 'ffmpeg') ffmpeg = startFfmpeg(target.ip, target.port);
      else {
        sender = await OpusSender.open(SSRC, undefined);
        sender.start(target.port, target.ip, LOAD === 'video' ? { perTick: 5, payloadBytes: 1100 } : { payloadBytes: 120 });
      }
    });
  } finally {
    ffmpeg?.kill('SIGTERM');
    sender?.close();
    for (const c of consumers) c.close();
    await media.close();
  }
}

/** The steps: `feed` starts the producer's RTP; `consumers` is filled as the steps go (the caller closes them). */
async function run(media: VoiceMedia, consumers: PlainTransportParticipant[], feed: (target: { ip: string; port: number }) => Promise<void>): Promise<void> {
  const producer = await PlainTransportParticipant.join(media, CHANNEL, 'producer');
  await feed(await producer.produceMic(SSRC, false));
  const producerPackets = async () => (await media.peerStats(CHANNEL, 'producer')).producers[0]?.packets ?? 0;
  /** Counters at one moment: RTP into the producer (mediasoup), RTP out of the sinks (here), CPU of both processes. */
  const sample = async () => {
    const packetsIn = await producerPackets();
    const packetsOut = consumers.reduce((sum, c) => sum + c.sink!.packets, 0);
    const bytesOut = consumers.reduce((sum, c) => sum + c.sink!.bytes, 0);
    const at = performance.now();
    const [worker] = await media.workerStats();
    const own = process.cpuUsage();
    return { packetsIn, packetsOut, bytesOut, at, workerCpu: worker!.cpuUserMs + worker!.cpuSystemMs, ownCpu: (own.user + own.system) / 1000 };
  };

  const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`mediasoup ${(await import('mediasoup')).version}: 1 worker; load: ${LOAD}; source: ${SOURCE}; window ${WINDOW_MS} ms`);
  console.log(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); load average ${loadavg()}`);
  await sleep(1000);
  if ((await producerPackets()) === 0) throw new Error('the producer receives no RTP');
  console.log('consumers  worker CPU  bench CPU  pkt/s in   expected    received   loss     Mbit/s out');
  const results: Array<{ consumers: number; cpu: number; loss: number; inRate: number }> = [];
  for (const step of STEPS) {
    let a: Awaited<ReturnType<typeof sample>>;
    let b: typeof a;
    try {
      // Joining is quicker with the producer paused: a worker forwarding to many consumers answers requests slowly.
      await within(media.pauseProducer(CHANNEL, 'producer', 'mic'));
      const joining = performance.now();
      while (consumers.length < step) consumers.push(await within(PlainTransportParticipant.join(media, CHANNEL, `c${consumers.length}`, { receive: true })));
      if (process.env.BENCH_DEBUG) console.log(`joined up to ${step} in ${(performance.now() - joining).toFixed(0)} ms`);
      await sleep(500); // every consumer resumed
      await within(media.resumeProducer(CHANNEL, 'producer', 'mic'));
      await sleep(1000);
      a = await within(sample());
      await sleep(WINDOW_MS);
      b = await within(sample());
    } catch (error) {
      console.log(`${String(step).padStart(9)}  gave out: ${(error as Error).message}`);
      results.push({ consumers: step, cpu: 100, loss: 100, inRate: 0 });
      break;
    }
    const elapsed = b.at - a.at;
    const workerCpu = (100 * (b.workerCpu - a.workerCpu)) / elapsed;
    const ownCpu = (100 * (b.ownCpu - a.ownCpu)) / elapsed;
    const expected = (b.packetsIn - a.packetsIn) * step;
    const got = b.packetsOut - a.packetsOut;
    const mbps = ((b.bytesOut - a.bytesOut) * 8) / (elapsed * 1000);
    const inRate = (1000 * (b.packetsIn - a.packetsIn)) / elapsed;
    const loss = expected > 0 ? Math.max(0, (100 * (expected - got)) / expected) : 100;
    results.push({ consumers: step, cpu: workerCpu, loss, inRate });
    console.log(
      [
        String(step).padStart(9),
        pct(workerCpu).padStart(11),
        pct(ownCpu).padStart(10),
        inRate.toFixed(0).padStart(9),
        String(expected).padStart(11),
        String(got).padStart(11),
        pct(loss).padStart(7),
        mbps.toFixed(1).padStart(12),
      ].join(' '),
    );
    if (loss > 20 || workerCpu > 98) break; // well past giving out
  }
  console.log(`load average at the end ${loadavg()} (other processes on these cores take CPU from the worker)`);
  // Giving out: loss, CPU, or the producer's own ingest falling (its socket overflows while the worker is busy).
  const nominal = results[0]?.inRate ?? 0;
  const ok = (r: (typeof results)[number]) => r.loss <= LOSS_LIMIT && r.cpu <= CPU_LIMIT && r.inRate >= 0.9 * nominal;
  const firstBad = results.findIndex((r) => !ok(r));
  const fine = firstBad === -1 ? results : results.slice(0, firstBad);
  const limit = results[firstBad];
  console.log(
    `\nlargest step within ${LOSS_LIMIT}% loss, ${CPU_LIMIT}% worker CPU and 90% of the ingest rate: ${fine.at(-1)?.consumers ?? 'none'} consumers` +
      (limit ? `; gives out at ${limit.consumers} (loss ${pct(limit.loss)}, CPU ${pct(limit.cpu)}, ${limit.inRate.toFixed(0)} pkt/s in)` : '; did not give out within the steps'),
  );
  const at500 = results.find((r) => r.consumers === 500);
  if (at500) console.log(`at mediasoup's rule of thumb (~500 consumers per worker): worker CPU ${pct(at500.cpu)}, loss ${pct(at500.loss)}`);
  if (fine.length > 0) {
    const last = fine.at(-1)!;
    console.log(`extrapolated from CPU: ~${Math.round((last.consumers * CPU_LIMIT) / Math.max(last.cpu, 0.1))} consumers per worker at ${CPU_LIMIT}% CPU for this load`);
  }
}

await main();

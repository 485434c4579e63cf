// Client sockets of bench/gateway.ts, in a worker thread (plain JS: it needs nothing but `ws`). Holds the sockets
// [from, to), identifies them, and records into shared memory what the main thread measures: per socket, the
// counters below; per message and socket, the absolute arrival time; per raw frame and socket, publish → arrival.
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';

const C = { received: 0, raw: 1, gaps: 2, order: 3, frameBytes: 4, closed: 5, lastSeq: 6, rawOrder: 7 };
const SLOTS = 8;
const now = () => performance.timeOrigin + performance.now();

const { url, tokens, from, to, sockets: n } = workerData;
const counters = new Int32Array(workerData.counters);
const arrivals = new Float64Array(workerData.arrivals);
const raw = new Float64Array(workerData.raw);
const sockets = [];

function open(id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    const c = id * SLOTS;
    ws.on('message', (data) => {
      const at = now();
      const text = data.toString('latin1');
      if (text.startsWith('{"op":"DISPATCH"')) {
        const s = Number(text.slice(text.lastIndexOf('"s":') + 4, -1));
        if (s !== counters[c + C.lastSeq] + 1) counters[c + C.gaps]++;
        counters[c + C.lastSeq] = s;
        const content = text.indexOf('"content":"bench ');
        if (content > 0 && text.includes('"t":"MessageSent"')) {
          const index = Number.parseInt(text.slice(content + 17, content + 27), 10);
          counters[c + C.order] = (Math.imul(counters[c + C.order], 31) + index) | 0;
          counters[c + C.frameBytes] = data.length;
          arrivals[index * n + id] = at;
          Atomics.add(counters, c + C.received, 1);
        }
      } else if (text.startsWith('{"op":"BENCH"')) {
        // As much parsing as a dispatch gets, so that both loads cost the clients alike.
        const i = text.indexOf('"i":');
        const index = Number.parseInt(text.slice(i + 4, i + 14), 10);
        const sent = Number(text.slice(text.indexOf('"at":') + 5, text.indexOf(',"pad"')));
        counters[c + C.rawOrder] = (Math.imul(counters[c + C.rawOrder], 31) + index) | 0;
        raw[index * n + id] = at - sent;
        Atomics.add(counters, c + C.raw, 1);
      } else if (text.startsWith('{"op":"HELLO"')) {
        ws.send(JSON.stringify({ op: 'IDENTIFY', d: { token: tokens[id] } }));
      } else if (text.startsWith('{"op":"READY"')) {
        resolve();
      }
    });
    ws.once('error', reject);
    ws.once('close', (code) => {
      counters[c + C.closed] = code;
      reject(new Error(`socket ${id} closed ${code}`));
    });
  });
}

let next = from;
await Promise.all(
  Array.from({ length: 100 }, async () => {
    for (let id = next++; id < to; id = next++) await open(id);
  }),
);
parentPort.postMessage('ready');
parentPort.on('message', () => {
  for (const ws of sockets) ws.terminate();
  setTimeout(() => process.exit(0), 100);
});

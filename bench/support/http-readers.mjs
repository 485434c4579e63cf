// The HTTP readers of bench/documents.ts, in a process of their own (plain JS, node:http only) so that the server's
// process spends its CPU on serving alone. Reads one JSON job from stdin:
//   { base, paths: string[], tokens: string[], ms, readers }
// and runs `readers` loops of GETs (path i % paths.length, token i % tokens.length, kept-alive sockets) for `ms`,
// then prints one JSON line: { count, seconds, latencies } (milliseconds), or exits 1 on a status other than 200.
import { Agent, request } from 'node:http';

const job = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
}));
const agent = new Agent({ keepAlive: true, maxSockets: job.readers });

function get(path, token) {
  return new Promise((resolve, reject) => {
    const req = request(job.base + path, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const latencies = [];
let next = 0;
const started = performance.now();
const deadline = started + job.ms;
await Promise.all(
  Array.from({ length: job.readers }, async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const path = job.paths[i % job.paths.length];
      const at = performance.now();
      const status = await get(path, job.tokens[i % job.tokens.length]);
      if (status !== 200) {
        console.error(`GET ${path}: ${status}`);
        process.exit(1);
      }
      latencies.push(performance.now() - at);
    }
  }),
);
agent.destroy();
console.log(JSON.stringify({ count: latencies.length, seconds: (performance.now() - started) / 1000, latencies }));

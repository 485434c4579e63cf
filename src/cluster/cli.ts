// npm run cluster: docker-compose.yml's topology as processes on this machine, against the dev engines.
//   API on API_PORT (default 3000, round-robin over two API nodes), the gateway on GATEWAY_PORT (3001, over two
//   gateway nodes), the voice-capable gateway on VOICE_GATEWAY_PORT (3002, over two voice nodes); the nodes themselves
//   on CLUSTER_BASE_PORT (3100) and up. One log stream, each line prefixed by its role; Ctrl-C stops all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { clusterRoles, type ClusterRole } from './roles.ts';
import { roundRobinProxy } from './proxy.ts';

const env = process.env;
const portOf = (name: string, fallback: number) => Number(env[name] ?? fallback);
const roles = clusterRoles({ base: portOf('CLUSTER_BASE_PORT', 3100), voiceRtcPort: portOf('VOICE_RTC_PORT', 40000) });
const children = new Map<string, ChildProcess>();
const proxies: Server[] = [];
let stopping = false;

function prefixed(name: string, stream: NodeJS.ReadableStream, out: NodeJS.WritableStream): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`[${name.padEnd(9)}] ${line}\n`);
  });
}

function start(role: ClusterRole): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...env, ...role.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixed(role.name, child.stdout!, process.stdout);
  prefixed(role.name, child.stderr!, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(role.name);
    if (!stopping) process.stderr.write(`[cluster  ] ${role.name} exited (${signal ?? `code ${code}`})\n`);
  });
  children.set(role.name, child);
  return child;
}

async function healthy(role: ClusterRole, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${role.name} exited during start-up`);
    if (await fetch(role.health).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${role.name} did not answer ${role.health} within ${timeoutMs / 1000} s`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

async function stop(code: number): Promise<never> {
  stopping = true;
  for (const proxy of proxies) proxy.close();
  const exits = [...children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 20_000))]);
  for (const child of children.values()) child.kill('SIGKILL');
  process.stdout.write('[cluster  ] stopped\n');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  // The projector first: it imports the course and creates the read models' indexes before anyone reads them.
  const [projector, ...nodes] = roles;
  await healthy(projector!, start(projector!));
  await Promise.all(nodes.map((role) => healthy(role, start(role))));
  const upstreams = (serves: ClusterRole['serves']) => roles.filter((role) => role.serves === serves).map(({ name, port }) => ({ name, port }));
  const entries = [
    { what: 'API', port: portOf('API_PORT', 3000), scheme: 'http', path: '', serves: 'api' as const },
    { what: 'gateway', port: portOf('GATEWAY_PORT', 3001), scheme: 'ws', path: '/gateway', serves: 'gateway' as const },
    { what: 'voice gateway', port: portOf('VOICE_GATEWAY_PORT', 3002), scheme: 'ws', path: '/gateway', serves: 'voice' as const },
  ];
  for (const entry of entries) {
    const proxy = roundRobinProxy(upstreams(entry.serves));
    proxies.push(proxy);
    await listen(proxy, entry.port);
  }
  const where = entries.map((e) => `${e.what} ${e.scheme}://127.0.0.1:${e.port}${e.path}`).join(', ');
  process.stdout.write(`[cluster  ] ready: ${roles.length} processes; ${where}\n`);
} catch (error) {
  process.stderr.write(`[cluster  ] start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}

// Private engines for the chaos run: a PostgreSQL cluster, a Redis, a FerretDB and a stripe-mock of its own, on free
// ports under a temporary folder, so that restarting them never touches the shared dev engines (scripts/stack.sh's).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const PG_BIN = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1)!, 'bin');
const FERRETDB_BIN = join(ROOT, '.stack/bin', readdirSync(join(ROOT, '.stack/bin')).find((name) => name.startsWith('ferretdb-'))!);
const STRIPE_MOCK_BIN = join(ROOT, '.stack/bin', readdirSync(join(ROOT, '.stack/bin')).find((name) => name.startsWith('stripe-mock-'))!, 'stripe-mock');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** One engine: its port, how to start and stop it (stop = SIGKILL of what we started: a crash, not a shutdown). */
export interface Engine {
  name: 'postgresql' | 'redis' | 'ferretdb' | 'stripe-mock';
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

class Daemon implements Engine {
  private child: ChildProcess | undefined;
  constructor(
    readonly name: Engine['name'],
    readonly port: number,
    private readonly command: () => [string, string[]],
  ) {}

  async start(): Promise<void> {
    const [bin, args] = this.command();
    this.child = spawn(bin, args, { stdio: 'ignore' });
    await waitFor(this.name, () => portOpen(this.port));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    await waitFor(`${this.name} stop`, async () => !(await portOpen(this.port)));
  }
}

/** PostgreSQL through pg_ctl (as the postgres user: initdb refuses root); stopped with `-m immediate` (a crash). */
class Postgres implements Engine {
  readonly name = 'postgresql' as const;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  private pgCtl(...args: string[]): void {
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const [bin, ...rest] = [...asPostgres, join(PG_BIN, 'pg_ctl'), ...args];
    execFileSync(bin!, rest, { stdio: 'ignore' });
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    this.pgCtl('initdb', '-D', join(this.dir, 'data'), '-o', '-U postgres --auth=trust --no-sync');
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=150 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    this.pgCtl('start', '-w', '-D', join(this.dir, 'data'), '-l', join(this.dir, 'postgres.log'), '-o', options);
  }

  async stop(): Promise<void> {
    this.pgCtl('stop', '-w', '-m', 'immediate', '-D', join(this.dir, 'data'));
  }

  createDatabases(...names: string[]): void {
    for (const name of names) execFileSync(join(PG_BIN, 'createdb'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', name], { stdio: 'ignore' });
  }
}

export interface PrivateEngines {
  engines: Record<Engine['name'], Engine>;
  /** The settings that point our processes at them. */
  env: Record<string, string>;
  eventStoreUrl: string;
  mongoUrl: string;
  down(): Promise<void>;
}

/** A PostgreSQL of its own (database `revolution`) under a temporary folder: for the checks' own tests. */
export async function startPrivatePostgres(): Promise<{ url: string; down(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rn-chaos-pg-'));
  const postgres = new Postgres(await freePort(), dir);
  await postgres.init();
  await postgres.start();
  postgres.createDatabases('revolution');
  return {
    url: `postgres://postgres@127.0.0.1:${postgres.port}/revolution`,
    async down() {
      await postgres.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startPrivateEngines(): Promise<PrivateEngines> {
  const dir = mkdtempSync(join(tmpdir(), 'rn-chaos-'));
  const [pgPort, redisPort, ferretPort, stripePort, stripeHttpsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const postgres = new Postgres(pgPort, dir);
  await postgres.init();
  await postgres.start();
  postgres.createDatabases('revolution', 'ferretdb');
  const redis = new Daemon('redis', redisPort, () => ['redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']]);
  const ferretdb = new Daemon('ferretdb', ferretPort, () => [FERRETDB_BIN, ['-listen-addr', `127.0.0.1:${ferretPort}`, '-postgresql-url', `postgres://postgres@127.0.0.1:${pgPort}/ferretdb`, '-log-level', 'error']]);
  const stripe = new Daemon('stripe-mock', stripePort, () => [STRIPE_MOCK_BIN, ['-http-addr', `127.0.0.1:${stripePort}`, '-https-addr', `127.0.0.1:${stripeHttpsPort}`]]);
  await Promise.all([redis.start(), ferretdb.start(), stripe.start()]);
  const eventStoreUrl = `postgres://postgres@127.0.0.1:${pgPort}/revolution`;
  const mongoUrl = `mongodb://127.0.0.1:${ferretPort}/revolution`;
  const engines = { postgresql: postgres, redis, ferretdb, 'stripe-mock': stripe };
  return {
    engines,
    eventStoreUrl,
    mongoUrl,
    env: {
      EVENTSTORE_URL: eventStoreUrl,
      MONGODB_URL: mongoUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: 'chaos',
      STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
    },
    async down() {
      for (const engine of [stripe, ferretdb, redis]) await engine.stop().catch(() => {});
      await postgres.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

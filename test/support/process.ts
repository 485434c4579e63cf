import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/**
 * `npm start`'s entry point (src/main.ts) as a separate process, as production runs it: its output collected, started
 * once it answers its health check. ServerProcess (the API) and GatewayProcess (a gateway-only node) are two of these.
 */
export class MainProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    /** Names the process in errors ("server", "gateway"). */
    private readonly what: string,
    /** Extra node flags (e.g. --cpu-prof for a benchmark). */
    private readonly nodeArgs: string[] = [],
    /** The script it runs: `npm start`'s unless a benchmark drives a node of its own. */
    private readonly entry = 'src/main.ts',
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the process with `env` and polls `healthy` until it answers; `unhealthy` words the timeout. */
  protected async launch(env: NodeJS.ProcessEnv, timeoutMs: number, healthy: () => Promise<boolean>, unhealthy: string): Promise<void> {
    // No shipped course unless the test asks for it: with an empty course every feature is open. Mail goes to an
    // outbox under the system's temporary folder, not the repository's .stack/mail.
    const mail = { MAIL_OUTBOX_DIR: join(tmpdir(), 'rn-test-mail') };
    this.child = spawn(process.execPath, [...this.nodeArgs, '--import', 'tsx', this.entry], { env: { IMPORT_COURSE: 'false', RUN_ACHIEVEMENTS: 'false', ...mail, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.what} exited with ${this.child.exitCode}:\n${this.output}`);
      if (await healthy()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.what} ${unhealthy} in ${timeoutMs} ms:\n${this.output}`);
  }

  /** Sends a signal and resolves with the exit code once the process is gone. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }
}

/** The API (and whatever else `env` turns on) as a separate process. */
export class ServerProcess extends MainProcess {
  readonly url: string;

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {
    super('server');
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    // A gateway port of its own unless the test chose one, so it never meets `npm start`'s :3001 or another test's.
    const gatewayPort = this.env.GATEWAY_PORT ?? String(await freePort());
    // Voice media on ports picked freely, for the same reason.
    const env = { ...process.env, LOG_LEVEL: 'warn', GATEWAY_PORT: gatewayPort, VOICE_RTC_PORT: '0', ...this.env, API_PORT: String(this.port) };
    const healthy = () => fetch(`${this.url}/health`).then((r) => r.ok, () => false);
    await this.launch(env, timeoutMs, healthy, 'did not become healthy');
  }
}

export interface GatewayHealth {
  node: string;
  publisher: boolean;
  sockets: number;
  position: number;
}

/** A gateway-only node (`src/main.ts` with RUN_API=false, RUN_PROJECTIONS=false) as a separate process. */
export class GatewayProcess extends MainProcess {
  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    /** Extra node flags (e.g. --cpu-prof for a benchmark). */
    nodeArgs: string[] = [],
    entry?: string,
  ) {
    super('gateway', nodeArgs, entry);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async health(): Promise<GatewayHealth | null> {
    return fetch(`http://127.0.0.1:${this.port}/gateway/health`).then(
      async (r) => (r.ok ? ((await r.json()) as GatewayHealth) : null),
      () => null,
    );
  }

  /** Resolves once the node answers its health check: generous by default, a loaded machine takes long to start one. */
  async start(timeoutMs = 120_000): Promise<void> {
    const env = { ...process.env, LOG_LEVEL: 'warn', ...this.env, RUN_API: 'false', RUN_PROJECTIONS: 'false', RUN_GATEWAY: 'true', RUN_VOICE: 'false', GATEWAY_PORT: String(this.port) };
    await this.launch(env, timeoutMs, async () => (await this.health()) !== null, 'did not answer');
  }
}

/** Runs a script (a CLI) under tsx to its end, `env` added to this process's; resolves with its exit code and all it printed. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// The local cluster (src/cluster/roles.ts' topology) driven process by process, so that the chaos runner knows each
// role's pid and can kill -9, pause and restart one of them; the round-robin proxies in front (API, gateway, voice
// gateway) as `npm run cluster` has.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { clusterRoles, type ClusterRole } from '../../src/cluster/roles.ts';
import { roundRobinProxy } from '../../src/cluster/proxy.ts';
import { freePort } from './engines.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Resident set size of a process in bytes (from /proc), or null once it is gone. */
export function rssOf(pid: number): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return null;
  }
}

export class Cluster {
  private readonly children = new Map<string, ChildProcess>();
  private readonly proxies: Server[] = [];
  /** Peak RSS per role over the run, by incarnation ("api-1#2" after one restart). */
  readonly peakRss = new Map<string, number>();
  private readonly incarnation = new Map<string, number>();
  /** The last lines each role wrote, for a failure's report. */
  readonly logs = new Map<string, string[]>();
  apiUrl = '';
  gatewayUrl = '';
  /** The voice nodes' proxy (`npm run cluster`'s VOICE_GATEWAY_PORT). */
  voiceGatewayUrl = '';

  constructor(
    readonly roles: ClusterRole[],
    private readonly env: Record<string, string>,
    /** Every role's output goes to `<logDir>/<role>.log`, restarts appended. */
    readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  static async create(env: Record<string, string>, logDir: string, only?: string[]): Promise<Cluster> {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const roles = clusterRoles({ base, voiceRtcPort: 0 }).filter((role) => !only || only.includes(role.name));
    return new Cluster(roles, env, logDir);
  }

  role(name: string): ClusterRole {
    const role = this.roles.find((each) => each.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role;
  }

  pid(name: string): number {
    const pid = this.children.get(name)?.pid;
    if (pid === undefined) throw new Error(`${name} is not running`);
    return pid;
  }

  async start(): Promise<void> {
    const [projector, ...nodes] = this.roles;
    await this.launch(projector!);
    await Promise.all(nodes.map((role) => this.launch(role)));
    const [apiPort, gatewayPort, voicePort] = [await freePort(), await freePort(), await freePort()];
    for (const [serves, port] of [['api', apiPort], ['gateway', gatewayPort], ['voice', voicePort]] as const) {
      const upstreams = this.roles.filter((role) => role.serves === serves).map(({ name, port }) => ({ name, port }));
      if (upstreams.length === 0) continue;
      const proxy = roundRobinProxy(upstreams);
      await new Promise<void>((resolve, reject) => proxy.once('error', reject).listen(port, '127.0.0.1', resolve));
      this.proxies.push(proxy);
    }
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    this.gatewayUrl = `ws://127.0.0.1:${gatewayPort}/gateway`;
    this.voiceGatewayUrl = `ws://127.0.0.1:${voicePort}/gateway`;
  }

  /** Starts a role and resolves once it answers its health check. */
  async launch(role: ClusterRole, timeoutMs = 180_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', RUN_ACHIEVEMENTS: 'false', IMPORT_COURSE: 'false', ...this.env, ...role.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    this.logs.set(role.name, lines);
    const file = createWriteStream(join(this.logDir, `${role.name}.log`), { flags: 'a' });
    child.once('exit', () => file.end());
    const keep = (chunk: Buffer) => {
      file.write(chunk);
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (lines.length > 200) lines.splice(0, lines.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.children.set(role.name, child);
    this.incarnation.set(role.name, (this.incarnation.get(role.name) ?? 0) + 1);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${role.name} exited during start-up:\n${lines.join('\n')}`);
      if (await fetch(role.health).then((r) => r.ok, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${role.name} did not answer ${role.health} within ${timeoutMs / 1000} s:\n${lines.join('\n')}`);
  }

  /** kill -9: no shutdown hook runs. */
  async kill(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    this.children.delete(name);
  }

  async restart(name: string): Promise<void> {
    await this.kill(name);
    await this.launch(this.role(name));
  }

  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    process.kill(this.pid(name), signal);
  }

  /** Waits until every running role answers its health check (after an engine came back). */
  async healthy(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const role of this.roles) {
      while (!(await fetch(role.health, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline) throw new Error(`${role.name} not healthy again within ${timeoutMs / 1000} s:\n${this.logs.get(role.name)?.slice(-20).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  sampleRss(): void {
    for (const [name, child] of this.children) {
      const rss = child.pid === undefined ? null : rssOf(child.pid);
      const key = `${name}#${this.incarnation.get(name)}`;
      if (rss !== null) this.peakRss.set(key, Math.max(this.peakRss.get(key) ?? 0, rss));
    }
  }

  async stop(): Promise<void> {
    for (const proxy of this.proxies) proxy.close();
    const exits = [...this.children.values()].map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))));
    for (const child of this.children.values()) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    }
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    for (const child of this.children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

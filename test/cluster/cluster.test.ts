import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clusterRoles } from '../../src/cluster/roles.ts';
import { isolatedEngines } from '../support/engines.ts';
import { freePort, http } from '../support/process.ts';

const engines = isolatedEngines('cluster');
afterAll(() => engines.drop());

const listening = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);

describe('npm run cluster', () => {
  it('starts the topology behind round-robin proxies, serves a user across nodes, and stops all of it on Ctrl-C', async () => {
    const [apiPort, gatewayPort, voiceGatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cluster/cli.ts'], {
      env: {
        ...process.env,
        ...engines.env,
        LOG_LEVEL: 'warn',
        RUN_ACHIEVEMENTS: 'false',
        IMPORT_COURSE: 'false',
        CLUSTER_BASE_PORT: String(base),
        API_PORT: String(apiPort),
        GATEWAY_PORT: String(gatewayPort),
        VOICE_GATEWAY_PORT: String(voiceGatewayPort),
        VOICE_RTC_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (!output.includes('[cluster  ] ready') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
      expect(output, output).toContain('[cluster  ] ready: 7 processes');

      const served = new Set<string>();
      for (let i = 0; i < 4; i++) served.add((await fetch(`http://127.0.0.1:${apiPort}/health`)).headers.get('x-cluster-node') ?? '');
      expect([...served].sort()).toEqual(['api-1', 'api-2']);

      // Registered through one API node, read through the other: its own write is waited for wherever it lands.
      const api = `http://127.0.0.1:${apiPort}`;
      const registered = await http(api, 'POST', '/v1/auth/register', { body: { username: 'clusterling', email: 'c@example.com', password: 'correct horse battery staple' } });
      expect(registered.status).toBe(201);
      const token = registered.body.token as string;
      for (let i = 0; i < 2; i++) {
        const me = await http(api, 'GET', '/v1/users/@me', { token });
        expect(me.status).toBe(200);
        expect(me.body.username).toBe('clusterling');
      }

      for (const port of [gatewayPort, voiceGatewayPort]) {
        const hello = await new Promise<{ op: string }>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/gateway`);
          socket.once('message', (data) => {
            resolve(JSON.parse(String(data)) as { op: string });
            socket.close();
          });
          socket.once('error', reject);
        });
        expect(hello.op).toBe('HELLO');
      }
      // Every process of the topology wrote under its role's prefix (a line at least: LOG_LEVEL warn may say little).
      expect(output).toMatch(/\[cluster {2}\] ready/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('[cluster  ] stopped');
    const nodePorts = clusterRoles({ base, voiceRtcPort: 0 }).map((role) => role.port);
    const stillListening = await Promise.all([apiPort, gatewayPort, voiceGatewayPort, ...nodePorts].map(listening));
    expect(stillListening.every((open) => !open)).toBe(true);
  }, 300_000);
});

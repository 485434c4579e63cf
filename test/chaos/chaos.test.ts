// The short chaos run inside `npm test`: bench/chaos/run.ts on its private engines with a reduced topology (no voice
// nodes), three phases and small counts. The full run is `npm run chaos`; its table is in docs/reliability.md.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
// restart-redis is left to the full run (npm run chaos): under load a socket connected through the restart once missed
// one dispatch published during the outage (docs/reliability.md), which is still open.
const PHASES = ['kill-api', 'kill-projector', 'restart-postgresql'];
const TIMEOUT_MS = 240_000;

it('loses nothing acknowledged when an API node and the projector are killed and PostgreSQL (the event store) restarts', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/chaos/run.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CHAOS_PHASES: PHASES.join(','),
      CHAOS_COMMANDS: '30',
      CHAOS_WORKERS: '3',
      CHAOS_ROLES: 'projector,api-1,api-2,gateway-1,gateway-2',
      CHAOS_DOCS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Past its time the run is told to stop (it stops its processes and engines), then its whole group is killed.
  const timer = setTimeout(() => {
    child.kill('SIGTERM');
    setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000).unref();
  }, TIMEOUT_MS - 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);

  for (const phase of PHASES) {
    const row = output.match(new RegExp(`^phase ${phase}: (.*)$`, 'm'));
    expect(row, output).not.toBeNull();
    const figures = JSON.parse(row![1]!) as { requests: number; '2xx': number; lost: number; duplicated: number; invariants: string };
    expect(figures['2xx'], `${phase}: nothing answered`).toBeGreaterThan(0);
    expect({ phase, lost: figures.lost, duplicated: figures.duplicated, invariants: figures.invariants }, output).toEqual({ phase, lost: 0, duplicated: 0, invariants: 'hold' });
  }
  expect(output).toMatch(/^memory bound \d+ MB: held$/m);
  expect(output).toMatch(/^chaos: every invariant held$/m);
  expect(code, output).toBe(0);
}, TIMEOUT_MS);

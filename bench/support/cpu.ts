/** CPU time of the processes a benchmark loads (ours and the engines'), read from /proc. Linux only. */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

interface Stat {
  comm: string;
  ppid: number;
  /** utime + stime, in ms. */
  own: number;
  /** cutime + cstime (children waited for), in ms. */
  children: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const ms = (i: number) => (Number(fields[i]) * 1000) / TICKS_PER_SECOND;
    return { comm, ppid: Number(fields[1]), own: ms(11) + ms(12), children: ms(13) + ms(14) };
  } catch {
    return undefined; // gone
  }
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const found = stat(pid);
    if (found) stats.set(pid, found);
  }
  return stats;
}

/**
 * The CPU milliseconds, so far, of: `ours` (the given pids), FerretDB, PostgreSQL and Redis. A group of processes
 * counts its root's own time, the time of the children it has reaped (PostgreSQL's backends that ended) and the time
 * of its live children, so connections opened and closed during a measurement are counted.
 */
export function cpuMs(ours: readonly number[]): Record<'ours' | 'ferretdb' | 'postgres' | 'redis', number> {
  const stats = allStats();
  const tree = (root: (pid: number, s: Stat) => boolean) => {
    let total = 0;
    for (const [pid, s] of stats) {
      if (!root(pid, s)) continue;
      total += s.own + s.children;
      for (const child of stats.values()) if (child.ppid === pid) total += child.own;
    }
    return total;
  };
  return {
    ours: ours.reduce((sum, pid) => sum + (stats.get(pid)?.own ?? 0), 0),
    ferretdb: tree((_, s) => s.comm.startsWith('ferretdb')),
    // The postmaster: the postgres process whose parent is not one.
    postgres: tree((_, s) => s.comm === 'postgres' && stats.get(s.ppid)?.comm !== 'postgres'),
    redis: tree((_, s) => s.comm === 'redis-server'),
  };
}

export type CpuSample = ReturnType<typeof cpuMs>;

/** `after − before`, per group. */
export function cpuSpent(before: CpuSample, after: CpuSample): CpuSample {
  return {
    ours: after.ours - before.ours,
    ferretdb: after.ferretdb - before.ferretdb,
    postgres: after.postgres - before.postgres,
    redis: after.redis - before.redis,
  };
}

import type { Config } from '../config.ts';

/** A start-up step that did not finish in time: its message already names what is wrong and how to fix it. */
export class StartupTimeout extends Error {
  override readonly name = 'StartupTimeout';
}

/** `work`, or a StartupTimeout saying `what` after `ms` (an engine that accepts connections but never answers). */
export async function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StartupTimeout(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const FIX_ENGINES = 'start the dev engines with `npm run stack -- up` (or point the URL at a running engine)';

/** The variable that moves whatever listens on `port`. */
function portSetting(port: number, config: Partial<Config>): string {
  if (port === config.API_PORT) return 'API_PORT';
  if (port === config.GATEWAY_PORT) return 'GATEWAY_PORT';
  if (config.VOICE_RTC_PORT !== undefined && port >= config.VOICE_RTC_PORT && port < config.VOICE_RTC_PORT + 256) return 'VOICE_RTC_PORT';
  return 'the matching *_PORT setting';
}

function hostOf(url: string | undefined): string {
  if (!url) return '?';
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/**
 * One line for a failed start: what is wrong and how to fix it (no stack trace). Known causes: a port already in use
 * (another `npm start` on this machine: Node's EADDRINUSE or mediasoup's uv_udp_bind/uv_tcp_bind), an engine that
 * refuses or never answers, and invalid configuration.
 */
export function describeStartupFailure(error: unknown, config: Partial<Config> = {}): string {
  const err = error as { code?: string; port?: number; message?: string; name?: string };
  const message = err?.message ?? String(error);
  const inUse = err?.code === 'EADDRINUSE' ? err.port : Number(/port:? ?(\d+)\]?: address already in use/i.exec(message)?.[1] ?? Number.NaN);
  if (inUse !== undefined && !Number.isNaN(inUse)) {
    return `port ${inUse} is already in use (is another \`npm start\` running on this machine?): stop it, or set ${portSetting(inUse, config)} to a free port`;
  }
  if (err?.name === 'StartupTimeout') return `${message}: it accepts connections but answers nothing; restart it (\`npm run stack -- down && npm run stack -- up\` for the dev engines)`;
  if (err?.name === 'MongoServerSelectionError') return `the read-model database at ${hostOf(config.MONGODB_URL)} (MONGODB_URL) is not reachable: ${FIX_ENGINES}`;
  if (err?.code === 'ECONNREFUSED') return `an engine refused the connection (${message}): ${FIX_ENGINES}`;
  if (message.startsWith('invalid configuration')) return message.replace(/:\n\s*/, ': ').replace(/\n\s*/g, '; ');
  return `start-up failed: ${message.split('\n')[0]}`;
}

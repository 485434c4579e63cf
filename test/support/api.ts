import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createServer, type RunningServer } from '../../src/server.ts';
import { isolatedEngines } from './engines.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
}

/** Drives the API in-process (no socket) the way a client would: JSON in, JSON out, bearer tokens. */
export class ApiClient {
  constructor(private readonly app: FastifyInstance) {}

  async request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await this.app.inject({ method, url, headers, ...(options.body !== undefined && { payload: options.body as object }) });
    const text = response.body;
    return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async register(name: string, extra: Record<string, unknown> = {}) {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await this.request('POST', '/v1/auth/register', { body: { email, username: name, password: 'correct horse battery', ...extra } });
    if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body.user, token: res.body.token as string, email, position: Number(res.headers['x-event-position']) };
  }
}

/** A whole server on isolated real engines, started in this process; `close` stops it and drops its data. */
export async function startTestServer(label: string, env: Record<string, string> = {}) {
  const engines = isolatedEngines(label);
  // Mail (verification links) goes to an outbox of the test's own, not the repository's .stack/mail.
  const mailDir = await mkdtemp(join(tmpdir(), `rn-mail-${label}-`));
  // Reads with X-Min-Position may wait long for a lane: tests share two cores with everything else.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', IMPORT_COURSE: 'false', RUN_ACHIEVEMENTS: 'false', RATE_LIMIT_SCALE: '100', READ_YOUR_WRITES_TIMEOUT_MS: '15000', MAIL_OUTBOX_DIR: mailDir, ...engines.env, ...env });
  const server: RunningServer = await createServer(config, pino({ level: config.LOG_LEVEL }));
  await server.app.ready();
  return {
    server,
    api: new ApiClient(server.app),
    async close() {
      await server.close();
      await engines.drop();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

import { afterAll, beforeAll } from 'vitest';
import { startTestServer } from './api.ts';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A test server for the whole test file: started before its tests, closed after them (its fields are set once they run). */
export function fileServer(label: string, env: Record<string, string> = {}): TestServer {
  const t = {} as TestServer;
  beforeAll(async () => {
    Object.assign(t, await startTestServer(label, env));
  });
  afterAll(() => t.close?.());
  return t;
}

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { describeStartupFailure, withinDeadline } from '../../src/startup/failure.ts';

const config = { API_PORT: 3000, GATEWAY_PORT: 3001, VOICE_RTC_PORT: 40000, MONGODB_URL: 'mongodb://db.internal:27017/revolution' };

describe('a failed start is one line naming the fix', () => {
  it('names the setting that moves a port already in use (Node, the gateway, mediasoup)', () => {
    const node = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:3000'), { code: 'EADDRINUSE', port: 3000 });
    expect(describeStartupFailure(node, config)).toMatch(/^port 3000 is already in use .*set API_PORT/);
    const gateway = Object.assign(new Error('the gateway could not listen on 127.0.0.1:3001 (in use?)'), { code: 'EADDRINUSE', port: 3001 });
    expect(describeStartupFailure(gateway, config)).toMatch(/set GATEWAY_PORT/);
    const mediasoup = new Error("uv_udp_bind() failed [protocol:udp, ip:'127.0.0.1', port:40001]: address already in use");
    expect(describeStartupFailure(mediasoup, config)).toMatch(/^port 40001 is already in use .*set VOICE_RTC_PORT/);
  });

  it('says which engine is unreachable or silent, without a stack trace', async () => {
    const selection = Object.assign(new Error('Server selection timed out after 5000 ms'), { name: 'MongoServerSelectionError' });
    expect(describeStartupFailure(selection, config)).toContain('db.internal:27017 (MONGODB_URL) is not reachable');
    const silent = await withinDeadline(new Promise(() => {}), 20, 'the event store (EVENTSTORE_URL)').catch((error: unknown) => error);
    const line = describeStartupFailure(silent, config);
    expect(line).toMatch(/^the event store \(EVENTSTORE_URL\) did not answer within 0.02 s: .*restart it/);
    expect(line).not.toContain('\n');
  });

  it('folds a multi-line configuration error into one line and keeps an unknown error to its first line', () => {
    expect(describeStartupFailure(new Error('invalid configuration:\n  API_PORT: too big\n  REDIS_URL: bad'))).toBe(
      'invalid configuration: API_PORT: too big; REDIS_URL: bad',
    );
    expect(describeStartupFailure(new Error('boom\n    at x'))).toBe('start-up failed: boom');
  });

  it('lets work that finishes in time through', async () => {
    await expect(withinDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});

describe('production configuration', () => {
  it('refuses to start on the dev stack\'s secrets and names each missing one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/STRIPE_SECRET_KEY: required in production[\s\S]*STRIPE_WEBHOOK_SECRET[\s\S]*EMAIL_TOKEN_SECRET/);
    const secrets = { STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', EMAIL_TOKEN_SECRET: 'a-long-random-production-secret' };
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).EMAIL_TOKEN_SECRET).toBe(secrets.EMAIL_TOKEN_SECRET);
    expect(loadConfig({}).NODE_ENV).toBe('development');
  });
});

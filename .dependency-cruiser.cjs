/**
 * The layers of src/, as README's layout section draws them: an import may point down or sideways within its
 * layer, never up, and there are no cycles. `npm test` runs this (npm run deps) and fails on any violation.
 *
 *   server.ts, main.ts, catalogue.ts, startup/, CLIs   composition: builds everything and wires it
 *   api/  realtime/  voice/             edges: HTTP resources, the gateway, media
 *   http/                               the HTTP kit (errors, auth, rate limits, idempotency…), used by api/ only
 *   commands/  projections/  reactors/  reports/  payments/   the domain: deciders, read models, process managers, replays
 *   events/  engines/  redis/  blobs/  mail/  config.ts  the bottom: the store and the ports to the outside
 */
const bottom = '^src/(events|engines|redis|blobs|mail)/|^src/config\\.ts$';
const domain = '^src/(commands|projections|reactors|reports|payments)/';
const edges = '^src/(api|realtime|voice)/';
const composition = '^src/(server|main|catalogue)\\.ts$|^src/startup/|^src/[^/]+/cli\\.ts$|^src/.*/cli/';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    { name: 'bottom-imports-nothing-above', severity: 'error', from: { path: bottom }, to: { path: [domain, '^src/http/', edges, composition] } },
    { name: 'domain-imports-no-edge', severity: 'error', from: { path: domain, pathNot: composition }, to: { path: ['^src/http/', edges, composition] } },
    { name: 'writes-read-no-read-model', severity: 'error', from: { path: '^src/commands/' }, to: { path: '^src/(projections|reactors|reports)/' } },
    { name: 'read-models-issue-no-commands-of-reactors', severity: 'error', from: { path: '^src/projections/', pathNot: composition }, to: { path: '^src/(reactors|reports)/' } },
    { name: 'http-kit-below-the-edges', severity: 'error', from: { path: '^src/http/' }, to: { path: [edges, composition] } },
    { name: 'edges-import-no-composition', severity: 'error', from: { path: edges }, to: { path: composition } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

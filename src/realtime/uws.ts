import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as UWS from 'uWebSockets.js';

export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from 'uWebSockets.js';
export type Uws = typeof UWS;

const require = createRequire(import.meta.url);
let loaded: Uws | undefined;

/**
 * Loads uWebSockets.js and proves that it is the native module. The package (an unofficial npm build) quietly
 * falls back to a slow pure-JS shim when its binary does not load for this platform/Node ABI, or when
 * UWS_USE_FALLBACK is set; a gateway on the shim would pass every test and then fall over under load. So the
 * binary for this exact platform and ABI is required first (its error is the real cause), and the package's
 * export must be that very module object.
 */
export function loadUws(): Uws {
  if (loaded) return loaded;
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let native: unknown;
  try {
    const packageDir = dirname(require.resolve('uWebSockets.js/package.json'));
    native = require(join(packageDir, 'binaries', binary));
  } catch (error) {
    throw new Error(
      `uWebSockets.js: the native module ${binary} did not load on Node ${process.version} ` +
        `(${(error as Error).message.split('\n')[0]}); refusing to start the gateway on the slow JS fallback`,
    );
  }
  const uws = require('uWebSockets.js') as Uws;
  if (uws !== native) {
    throw new Error('uWebSockets.js: the package returned its JS fallback instead of the native module (is UWS_USE_FALLBACK set?)');
  }
  loaded = uws;
  return uws;
}

// Loads uWebSockets.js and refuses its pure-JS fallback. The package we install silently swaps
// in a slow Node implementation when the native binary does not load; a shard running on that
// would hold a fraction of its planned fans, so it must not start at all.

import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type { Uws };

export class UwsFallbackError extends Error {
  override name = 'UwsFallbackError';
  constructor(binary: string, options?: ErrorOptions) {
    super(
      `uWebSockets.js did not load its native binary (${binary}); refusing to run on the JS fallback`,
      options,
    );
  }
}

const require = createRequire(import.meta.url);

/** Returns the native uWS module, or throws UwsFallbackError. */
export function loadNativeUws(): typeof Uws {
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  const entry = require.resolve('uWebSockets.js');
  const binaryPath = new URL(`../binaries/${binary}`, `file://${entry}`).pathname;
  // Silence the package's own fallback warning: we report the failure ourselves.
  const warn = console.warn;
  console.warn = () => undefined;
  let uws: typeof Uws;
  try {
    uws = require('uWebSockets.js') as typeof Uws;
  } finally {
    console.warn = warn;
  }
  // The native addon is exactly what `require(binaryPath)` cached; the fallback is a JS module.
  const native = require.cache[binaryPath]?.exports;
  if (native === undefined || native !== uws) throw new UwsFallbackError(binary);
  return uws;
}

// Where the built pages live and how they are built: Vite, run programmatically, over
// `web/index.html` and `web/src/app/`. `ensurePages` builds only when the sources changed since
// the last build (a fingerprint of every source file the pages bundle), so `pnpm start` on a
// fresh clone builds once (a few seconds) and later starts serve what is there. Vite is loaded
// only when a build runs, so a deployment that ships built pages never needs it.

import { createHash } from 'node:crypto';
import {
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web package's folder (the same from src/ and from a compiled dist/). */
const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The repository root, where the workspace packages the pages bundle sit side by side. */
const ROOT_DIR = join(WEB_DIR, '..');

/** Where `pnpm build` and `pnpm start` put the pages: web/dist/pages. */
export const PAGES_DIR = join(WEB_DIR, 'dist', 'pages');

/** The file in a pages folder that records the sources it was built from. */
export const FINGERPRINT_FILE = '.fingerprint';

/** Source folders whose files end up in the pages' bundle. */
const SOURCE_DIRS = ['web/src/app', 'react/src', 'sdk/src', 'protocol/src', 'cowatch/src'];
const SOURCE_FILES = ['web/index.html', 'web/src/pages.ts'];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/** A hash over the path and content of every source file the pages are built from. */
export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const files = [
    ...SOURCE_FILES.map((f) => join(ROOT_DIR, f)),
    ...SOURCE_DIRS.flatMap((d) => listFiles(join(ROOT_DIR, d))),
  ];
  for (const file of files) {
    if (/\.test\.tsx?$/.test(file)) continue;
    hash.update(file.slice(ROOT_DIR.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export interface BuildPagesOptions {
  /** Where to write the pages (emptied first). Default PAGES_DIR. */
  outDir?: string;
  /** Minify the bundle (default true; tests turn it off to build faster). */
  minify?: boolean;
}

/**
 * Builds the fan page and the console into `outDir` and records the sources' fingerprint. The
 * build goes to a folder of its own next to `outDir`, swapped in when complete, so a server
 * reading `outDir` never sees it half written, and two builds at once (two `pnpm start`, or test
 * files in parallel) do not write into each other.
 */
export async function buildPages(options: BuildPagesOptions = {}): Promise<string> {
  const outDir = options.outDir ?? PAGES_DIR;
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const building = `${outDir}.building-${tag}`;
  try {
    await buildInto(building, options.minify ?? true);
    swapIn(building, outDir, `${outDir}.old-${tag}`);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return outDir;
}

/** Moves `ready` to `outDir`, replacing what is there (kept aside at `old`, then removed). */
function swapIn(ready: string, outDir: string, old: string): void {
  try {
    renameSync(outDir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // ENOENT: nothing there yet
  }
  try {
    renameSync(ready, outDir);
  } catch (err) {
    // Another build swapped its folder in between our two renames: it is as new as ours, keep it.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

async function buildInto(outDir: string, minify: boolean): Promise<void> {
  const fingerprint = sourceFingerprint();
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: WEB_DIR,
    base: '/',
    logLevel: 'warn',
    // No dev server, no public folder: everything the pages need is imported by the entry.
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      minify,
      sourcemap: false,
      reportCompressedSize: false,
      // hls.js (~570 kB) is its own chunk, loaded only when a stream plays.
      chunkSizeWarningLimit: 700,
      // The preload polyfill would be inline code, which the CSP forbids (and browsers that
      // run these pages support modulepreload).
      modulePreload: { polyfill: false },
    },
  });
  writeFileSync(join(outDir, FINGERPRINT_FILE), fingerprint);
}

/** Whether `dir` holds pages built from the current sources. */
export function pagesAreCurrent(dir = PAGES_DIR): boolean {
  const file = join(dir, FINGERPRINT_FILE);
  return existsSync(file) && readFileSync(file, 'utf8') === sourceFingerprint();
}

/** PAGES_DIR, built first when missing or older than the sources. */
export async function ensurePages(log: (line: string) => void = () => undefined): Promise<string> {
  if (pagesAreCurrent()) return PAGES_DIR;
  log('building the web pages (once, after each change to their sources)...');
  const started = Date.now();
  await buildPages();
  log(`web pages built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return PAGES_DIR;
}

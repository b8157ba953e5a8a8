// `pnpm build`'s last step: the pages into web/dist/pages, minified.

import { buildPages } from './pages.js';

const started = Date.now();
const dir = await buildPages();
process.stdout.write(`web pages built into ${dir} in ${Date.now() - started} ms\n`);

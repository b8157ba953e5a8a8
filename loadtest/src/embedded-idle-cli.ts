// `pnpm bench:idle`: the embedded engine idle (embedded-idle.ts) alone, well under a minute: its
// row and the target it is held to (<= 300 MB), the same phase `pnpm bench` runs first.

import { embeddedIdle } from './embedded-idle.js';
import { formatObjectives, objectives } from './objectives.js';
import { formatRows } from './rows-table.js';

const row = await embeddedIdle((line) => process.stderr.write(`[idle] ${line}\n`));
const idle = objectives([row]).filter((o) => o.id === 'embedded-idle-rss');
process.stdout.write(`\n${formatRows([row])}\n\n${formatObjectives(idle)}\n`);
process.exit(row.notes.some((n) => n.startsWith('failed:')) ? 1 : 0);

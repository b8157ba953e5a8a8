// drizzle-kit reads this to generate migrations: `pnpm --filter @fanfare/db generate` diffs
// src/schema.ts against migrations/meta and writes the next SQL file. It never connects to a
// database; migrations are applied by `migrate()` when a Database opens.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  strict: true,
});

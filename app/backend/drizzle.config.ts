import { defineConfig } from 'drizzle-kit'

// Only used by `npm run db:generate`; migrations are applied from code (src/core/db/migrate.ts)
// because drizzle-kit's own migrate command cannot open an embedded PGlite data directory.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/core/db/schema/index.ts',
  out: './drizzle',
  strict: true,
  verbose: false,
})

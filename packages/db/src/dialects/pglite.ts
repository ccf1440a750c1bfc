/** PGlite dialect: PostgreSQL in WebAssembly, in a data folder or in memory. */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteDialect } from 'kysely';

/** Options for the embedded database. */
export interface PGliteOptions {
  /** A data folder; omitted or `memory://` for an in-memory database. */
  readonly dataDir?: string | undefined;
}

/** A Kysely dialect over one PGlite instance, and the instance (for LISTEN and close). */
export async function pgliteDialect(
  options: PGliteOptions,
): Promise<{ dialect: PGliteDialect; pglite: PGlite }> {
  if (options.dataDir && !options.dataDir.startsWith('memory://')) {
    mkdirSync(options.dataDir, { recursive: true });
  }
  const pglite = await PGlite.create(options.dataDir ?? 'memory://', {
    parsers: { 20: (v: string) => Number(v) },
    // Trigram indexes for the member directory's email search (migration 0003).
    extensions: { pg_trgm },
  });
  return { dialect: new PGliteDialect({ pglite }), pglite };
}

/** The long-lived things every use case needs: the database and the engine cache. */
import type { DB } from '@gatehouse/db';
import { EngineCache } from './engine-cache.js';

/** Shared dependencies of the use cases. */
export interface Services {
  readonly db: DB;
  readonly engines: EngineCache;
}

/** Services over a database. */
export function createServices(db: DB): Services {
  return { db, engines: new EngineCache(db) };
}

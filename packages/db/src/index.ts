/** @gatehouse/db — Gatehouse's storage: schema types, migrations and `createDb()`. */

export type {
  ExpressionBuilder,
  Insertable,
  Kysely,
  KyselyPlugin,
  RawBuilder,
  RootOperationNode,
  Selectable,
  SelectQueryBuilder,
  Transaction,
} from 'kysely';
export { sql } from 'kysely';
export {
  analyze,
  type CreateDbOptions,
  createDb,
  type DB,
  type Gatedb,
  type Listener,
} from './create-db.js';
export {
  type DataDirLock,
  DataDirLockedError,
  LOCK_FILE,
  type LockDataDirOptions,
  type LockHolder,
  lockDataDir,
} from './data-dir-lock.js';
export { MISSED_NOTICES } from './dialects/pg-listener.js';
export { ID_PREFIXES, type IdKind, isId, newId } from './ids.js';
export { type MigrateResult, migrateToLatest } from './migrate.js';
export type * from './schema.js';

/** The migrations, listed statically so they run the same from src (tsx, vitest) and dist. */
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.js';

/** Every migration by name, in order. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};

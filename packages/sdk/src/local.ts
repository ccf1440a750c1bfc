/** Local checks (C7): the server's engine, run in the client from a fetched snapshot. */
import {
  type CheckRequest,
  createEngine,
  type Decision,
  type Engine,
  type Environment,
  type OrgSnapshot,
} from '@gatehouse/core';
import type { Permission, Register } from './names.js';

/**
 * Answers checks locally at the snapshot's revision. Permission names are typed by `T` (see
 * `Permission`): the registered names by default.
 */
export class LocalChecker<T = Register> {
  /** The engine itself, for every other question (explain, listScopes, ...). */
  readonly engine: Engine;

  constructor(snapshot: OrgSnapshot) {
    this.engine = createEngine(snapshot);
  }

  /** The revision the answers reflect. */
  get revision(): number {
    return this.engine.revision;
  }

  /** True when `subject` may do `permission` at `scope`. */
  can(
    subject: string,
    permission: Permission<T>,
    scope: string,
    environment?: Environment,
  ): boolean {
    return this.engine.can(subject, permission, scope, environment);
  }

  /** The decision with its reason. */
  check(req: CheckRequest & { readonly permission: Permission<T> }): Decision {
    return this.engine.check(req);
  }
}

/** Local checks (C7): the server's engine, run in the client from a fetched snapshot. */
import {
  type CheckRequest,
  createEngine,
  type Decision,
  type Engine,
  type Environment,
  type OrgSnapshot,
} from '@gatehouse/core';

/** Answers checks locally at the snapshot's revision. */
export class LocalChecker {
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
  can(subject: string, permission: string, scope: string, environment?: Environment): boolean {
    return this.engine.can(subject, permission, scope, environment);
  }

  /** The decision with its reason. */
  check(req: CheckRequest): Decision {
    return this.engine.check(req);
  }
}

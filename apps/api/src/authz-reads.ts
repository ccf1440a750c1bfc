/**
 * The permission reads (C1–C7) as data: each one's input schema (besides `orgId`) and the use
 * case that answers it. The `authz` router (routers/authz.ts) builds its tRPC procedures from
 * this table, and the direct read route (direct-reads.ts) answers the same reads from it without
 * tRPC's middleware chain (issue 15), so the two cannot drift: same schemas, same use cases.
 */
import { authz, type OrgCall } from '@gatehouse/domain';
import { z } from 'zod';
import { fastCheckInput, fastCheckManyInput } from './check-input.js';
import { anyId, checkRequest, cursor, environment, minRevision, permission } from './schemas.js';

/** One permission read: the input it takes and the use case answering it. */
export interface AuthzRead<I extends z.ZodType = z.ZodType, R = unknown> {
  /** The read's own input (the org's id is `orgInput`, common to all). */
  readonly input: I;
  /** Answers the validated input for the org of `call`. */
  run(call: OrgCall, input: z.output<I>): Promise<R>;
  /**
   * A faster parse of plain valid input, giving what `input` gives, or undefined to let
   * `input` decide (the direct route tries it first).
   */
  readonly fastParse?: ((raw: unknown) => z.output<I> | undefined) | undefined;
}

function read<I extends z.ZodType, R>(
  input: I,
  run: (call: OrgCall, input: z.output<I>) => Promise<R>,
  fastParse?: (raw: unknown) => z.output<I> | undefined,
): AuthzRead<I, R> {
  return { input, run, fastParse };
}

const pageLimit = z.number().int().min(1).max(10_000).optional();

/** Every permission read, by procedure name (`authz.<name>`). */
export const authzReads = {
  check: read(
    checkRequest.extend({ minRevision }),
    (call, { minRevision: min, ...req }) => authz.check(call, req, min),
    fastCheckInput,
  ),
  checkMany: read(
    z.object({ minRevision, checks: z.array(checkRequest).min(1).max(10_000) }),
    (call, input) => authz.checkMany(call, input.checks, input.minRevision),
    fastCheckManyInput,
  ),
  canMany: read(
    z.object({ minRevision, checks: z.array(checkRequest).min(1).max(10_000) }),
    (call, input) => authz.canMany(call, input.checks, input.minRevision),
    fastCheckManyInput,
  ),
  explain: read(checkRequest.extend({ minRevision }), (call, { minRevision: min, ...req }) =>
    authz.explain(call, req, min),
  ),
  effectivePermissions: read(
    z.object({ minRevision, subject: anyId, scope: anyId, environment: environment.optional() }),
    (call, { minRevision: min, ...q }) => authz.effectivePermissions(call, q, min),
  ),
  listScopes: read(
    z.object({
      minRevision,
      subject: anyId,
      permission,
      environment: environment.optional(),
      cursor,
      limit: pageLimit,
    }),
    (call, { minRevision: min, ...q }) => authz.listScopesFor(call, q, min),
  ),
  listSubjects: read(
    z.object({
      minRevision,
      scope: anyId,
      permission,
      environment: environment.optional(),
      type: z.enum(['user', 'group', 'client']).optional(),
      cursor,
      limit: pageLimit,
    }),
    (call, { minRevision: min, ...q }) => authz.listSubjectsFor(call, q, min),
  ),
  snapshot: read(z.object({ minRevision }), (call, input) => authz.snapshot(call, input)),
};

/** The name of a permission read. */
export type AuthzReadName = keyof typeof authzReads;

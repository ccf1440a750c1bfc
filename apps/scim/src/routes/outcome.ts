/**
 * What a single-resource write answers, apart from HTTP: a status, the body (already coerced
 * and projected), and the resource's `version` and `location`. The single routes send it
 * (`sendOutcome`); `/Bulk` (`./bulk.ts`) puts it into a BulkResponse operation, so both answer
 * with the same logic and the same errors.
 */
import type { Response } from 'express';
import SCIMMY from 'scimmy';
import { fastCoerce } from '../coerce/resource.js';
import { queryProjection, type ScimContext } from '../context.js';
import { scimError, writeJson } from '../errors.js';
import { project } from '../projection.js';
import { plain, schemas } from '../schema.js';

/** The two resource types served one at a time. */
export type ResourceName = 'User' | 'Group';

/** The result of one write on one resource. */
export interface Outcome {
  readonly status: number;
  /** The resource as sent back; none for a 204. */
  readonly body?: Record<string, unknown> | undefined;
  /** `meta.version` (the `ETag`). */
  readonly version?: string | undefined;
  /** `meta.location` (the `Location` of a 201). */
  readonly location?: string | undefined;
}

/** What a write takes: the path's id (none for a POST) and the request body. */
export interface OperationInput {
  readonly id?: string | undefined;
  readonly body: unknown;
}

/**
 * One write on one resource, for the org of `ctx`; `ctx.ifMatch` is its precondition and
 * `ctx.query` its projection. Throws SCIM or domain errors.
 */
export type Operation = (ctx: ScimContext, input: OperationInput) => Promise<Outcome>;

const SCHEMA = { User: SCIMMY.Schemas.User, Group: SCIMMY.Schemas.Group } as const;

/**
 * Runs a SCIMMY schema coercion; its `TypeError`s are 400 `invalidValue`, its SCIM errors pass,
 * and anything else is a 404 (as SCIMMY's resources answer).
 */
export function coerced<T>(id: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SCIMMY.Types.Error) throw e;
    if (e instanceof TypeError) throw scimError(400, 'invalidValue', e.message);
    throw scimError(404, null, `Resource ${id} not found`);
  }
}

/**
 * A rendered resource coerced outbound by its SCIMMY schema (`meta.location` under `ctx.base`).
 * What our renderers produce takes the fast path (`../coerce/resource.ts`): SCIMMY's result
 * without running SCIMMY; anything it is not sure of goes through SCIMMY.
 */
export function outbound(
  ctx: ScimContext,
  type: ResourceName,
  rendered: Record<string, unknown>,
): Record<string, unknown> {
  const basepath = `${ctx.base}/${type}s`;
  const fast = fastCoerce(type, rendered, { way: 'out', basepath });
  if (fast) return fast;
  const Schema = SCHEMA[type];
  const id = typeof rendered.id === 'string' ? rendered.id : undefined;
  return plain(coerced(id, () => new Schema(rendered, 'out', basepath)));
}

/** The `meta.version` and `meta.location` of a resource body. */
export function metaOf(body: Record<string, unknown>): { version?: string; location?: string } {
  const meta = body.meta as { version?: unknown; location?: unknown } | undefined;
  return {
    ...(typeof meta?.version === 'string' && meta.version ? { version: meta.version } : {}),
    ...(typeof meta?.location === 'string' ? { location: meta.location } : {}),
  };
}

/** A rendered resource as an outcome: coerced outbound, then projected as `ctx.query` asks. */
export function resourceOutcome(
  ctx: ScimContext,
  type: ResourceName,
  rendered: Record<string, unknown>,
  status = 200,
): Outcome {
  const out = outbound(ctx, type, rendered);
  return {
    status,
    body: project(schemas()[type], out, queryProjection(ctx)),
    ...metaOf(out),
  };
}

/** Sends an outcome: `ETag` = its version, `Location` on 201, the body or an empty 204. */
export function sendOutcome(res: Response, outcome: Outcome): void {
  if (outcome.version) res.setHeader('ETag', outcome.version);
  if (outcome.status === 201 && outcome.location) res.setHeader('Location', outcome.location);
  if (outcome.body === undefined) {
    res.status(outcome.status).end();
    return;
  }
  writeJson(res, outcome.status, outcome.body);
}

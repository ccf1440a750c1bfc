/**
 * `POST /Bulk` (RFC 7644 §3.7): up to `MAX_BULK_OPERATIONS` POST, PUT, PATCH and DELETE
 * operations on `/Users` and `/Groups`, each run by the same `Operation` as its single route
 * (`./users.ts`, `./groups.ts`, `./patch.ts`), so it answers with the same statuses and errors.
 * Each operation is its own domain write (its own audit entries and outbox events; consecutive
 * user creations may share a group-commit transaction, as concurrent requests do): a failing
 * one changes nothing and the ones after it still run, until `failOnErrors` errors.
 *
 * Operations run in the order sent. `bulkId:<id>` in an operation's path or anywhere in its
 * data (e.g. a Group's `members[].value`) becomes the id created by an earlier POST with that
 * bulkId; one that names no earlier successful POST fails that operation with 409
 * `invalidValue`. Since only earlier operations can be referenced, circular references cannot
 * occur. The body's size is capped before parsing (`maxPayloadSize`, the SCIM body limit).
 */
import type { Router } from 'express';
import type { ScimContext } from '../context.js';
import { errorBody, scimError, toScimError, writeJson } from '../errors.js';
import { createGroup, deleteGroup, replaceGroup } from './groups.js';
import { handle } from './handle.js';
import type { Operation, ResourceName } from './outcome.js';
import { patchGroup, patchUser } from './patch.js';
import { createUser, deleteUser, replaceUser } from './users.js';
import { checkedWriteBody } from './write-body.js';

/** The BulkRequest message schema. */
export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** The BulkResponse message schema. */
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** Most operations in one request (ServiceProviderConfig `bulk.maxOperations`). */
export const MAX_BULK_OPERATIONS = 1000;

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const OPERATIONS: Record<ResourceName, Record<Method, Operation>> = {
  User: { POST: createUser, PUT: replaceUser, PATCH: patchUser, DELETE: deleteUser },
  Group: { POST: createGroup, PUT: replaceGroup, PATCH: patchGroup, DELETE: deleteGroup },
};

/** One operation of a BulkRequest, checked. */
interface BulkOperation {
  readonly method: Method;
  readonly bulkId: string | undefined;
  readonly type: ResourceName;
  /** The path's id (maybe `bulkId:…`); none for a POST. */
  readonly id: string | undefined;
  readonly data: unknown;
  readonly version: string | undefined;
}

/** One operation of a BulkResponse (RFC 7644 §3.7.3). */
interface BulkResult {
  method: Method;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

const PATH = /^\/(Users|Groups)(?:\/([^/]+))?$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const syntax = (detail: string) => scimError(400, 'invalidSyntax', detail);

function decoded(segment: string, at: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw syntax(`${at}.path holds a malformed %-escape`);
  }
}

/** The request's operations and `failOnErrors`, or a 400 / 413 for the whole request. */
export function readBulkRequest(body: unknown): {
  operations: BulkOperation[];
  failOnErrors: number | undefined;
} {
  if (!isObject(body)) throw syntax('the BulkRequest body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST_URN)) {
    throw syntax(`"schemas" must hold "${BULK_REQUEST_URN}"`);
  }
  const fail = body.failOnErrors;
  if (fail !== undefined && (!Number.isInteger(fail) || (fail as number) < 1)) {
    throw scimError(400, 'invalidValue', '"failOnErrors" must be a positive integer');
  }
  const list = body.Operations;
  if (!Array.isArray(list)) throw syntax('"Operations" must be an array');
  if (list.length > MAX_BULK_OPERATIONS) {
    throw scimError(
      413,
      'tooMany',
      `a BulkRequest holds at most ${MAX_BULK_OPERATIONS} operations; this one has ${list.length}`,
    );
  }
  const seen = new Set<string>();
  const operations = list.map((op, i): BulkOperation => {
    const at = `Operations[${i}]`;
    if (!isObject(op)) throw syntax(`${at} must be an object`);
    const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      throw syntax(`${at}.method must be POST, PUT, PATCH or DELETE`);
    }
    const path = typeof op.path === 'string' ? PATH.exec(op.path) : null;
    const id = path?.[2] === undefined ? undefined : decoded(path[2], at);
    if (!path || (method === 'POST') !== (id === undefined)) {
      throw syntax(
        `${at}.path must be ${method === 'POST' ? '"/Users" or "/Groups"' : '"/Users/{id}" or "/Groups/{id}"'}`,
      );
    }
    const bulkId = op.bulkId;
    if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '')) {
      throw syntax(`${at}.bulkId must be a non-empty string`);
    }
    if (method === 'POST') {
      if (bulkId === undefined) throw syntax(`${at}.bulkId is required for POST`);
      if (seen.has(bulkId)) throw scimError(400, 'invalidValue', `bulkId "${bulkId}" is repeated`);
      seen.add(bulkId);
    }
    if (method !== 'DELETE' && !isObject(op.data)) throw syntax(`${at}.data must be an object`);
    if (op.version !== undefined && typeof op.version !== 'string') {
      throw syntax(`${at}.version must be a string`);
    }
    return {
      method: method as Method,
      bulkId,
      type: path[1] === 'Users' ? 'User' : 'Group',
      id,
      data: op.data,
      version: op.version,
    };
  });
  return { operations, failOnErrors: fail as number | undefined };
}

const REF = /^bulkId:(.+)$/;

/** `value` with every `bulkId:<id>` string replaced by the created id; throws for an unknown one. */
function resolveRefs(value: unknown, created: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    const m = REF.exec(value);
    if (!m) return value;
    const id = created.get(m[1]!);
    if (id === undefined) {
      throw scimError(409, 'invalidValue', `bulkId "${m[1]}" cannot be resolved`);
    }
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, created));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, created)]));
  }
  return value;
}

/** Runs one operation as its single route would; the result's status is a string. */
async function runOne(
  ctx: ScimContext,
  op: BulkOperation,
  created: Map<string, string>,
): Promise<BulkResult> {
  const head = { method: op.method, ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}) };
  const collection = `${ctx.base}/${op.type}s`;
  let id: string | undefined;
  try {
    id = op.id === undefined ? undefined : (resolveRefs(op.id, created) as string);
    let data = resolveRefs(op.data, created);
    if (op.method === 'POST' || op.method === 'PUT') data = checkedWriteBody(op.type, data);
    // Each operation sees its own `version` as If-Match and no query (no projection).
    const opCtx: ScimContext = { ...ctx, ifMatch: op.version, query: {} };
    const out = await OPERATIONS[op.type][op.method](opCtx, { id, body: data });
    const location =
      out.location ?? (id !== undefined ? `${collection}/${encodeURIComponent(id)}` : undefined);
    if (op.method === 'POST' && op.bulkId !== undefined && typeof out.body?.id === 'string') {
      created.set(op.bulkId, out.body.id);
    }
    return {
      ...head,
      ...(location ? { location } : {}),
      ...(out.version ? { version: out.version } : {}),
      status: String(out.status),
    };
  } catch (e) {
    const { error, id: errorId } = toScimError(e);
    if (errorId) ctx.onInternalError(e, errorId);
    return {
      ...head,
      ...(id !== undefined ? { location: `${collection}/${encodeURIComponent(id)}` } : {}),
      status: String(error.status),
      response: errorBody(error),
    };
  }
}

/** Whether `value` holds a `bulkId:<id>` reference anywhere (it then waits for earlier operations). */
function refers(value: unknown): boolean {
  if (typeof value === 'string') return REF.test(value);
  if (Array.isArray(value)) return value.some(refers);
  if (isObject(value)) return Object.values(value).some(refers);
  return false;
}

/** A user creation that names no other operation: it may run together with its neighbours. */
const independentCreate = (op: BulkOperation) =>
  op.method === 'POST' && op.type === 'User' && !refers(op.data);

/**
 * Runs a BulkRequest's operations in order, stopping after `failOnErrors` errors. Issue 15:
 * consecutive user creations that name no other operation are sent together, as concurrent
 * requests are, so the domain's group commit writes them set-based; they are queued in the
 * order sent (a userName two of them share goes to the first), their results are listed in
 * that order, and never more of them than `failOnErrors` could still allow.
 */
export async function runBulk(ctx: ScimContext, body: unknown): Promise<Record<string, unknown>> {
  const { operations, failOnErrors } = readBulkRequest(body);
  const created = new Map<string, string>();
  const results: BulkResult[] = [];
  let errors = 0;
  for (let i = 0; i < operations.length; ) {
    // How many may run at once: every one may fail, and none may run after the last allowed.
    const room = failOnErrors === undefined ? operations.length : failOnErrors - errors - 1;
    let end = i + 1;
    if (independentCreate(operations[i]!)) {
      while (end < operations.length && end - i < room && independentCreate(operations[end]!)) {
        end++;
      }
    }
    const ran = await Promise.all(operations.slice(i, end).map((op) => runOne(ctx, op, created)));
    i = end;
    for (const result of ran) {
      results.push(result);
      if (Number(result.status) >= 400 && failOnErrors !== undefined && ++errors >= failOnErrors) {
        return { schemas: [BULK_RESPONSE_URN], Operations: results };
      }
    }
  }
  return { schemas: [BULK_RESPONSE_URN], Operations: results };
}

/** Adds `POST /Bulk` to `r`. */
export function bulkRoutes(r: Router): void {
  r.post(
    '/Bulk',
    handle(async (req, res, ctx) => writeJson(res, 200, await runBulk(ctx, req.body))),
  );
}

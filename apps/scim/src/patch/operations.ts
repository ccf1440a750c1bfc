/**
 * PatchOp messages (RFC 7644 §3.5.2) read leniently, the way identity providers send them:
 * `op` in any case (Entra: "Replace", "Add"), a `path` of `attr`, `attr.sub`,
 * `attr[filter]` or `attr[filter].sub` (URN-qualified or not), or no path and an object value.
 */
import type { FilterNode } from '@gatehouse/domain';
import { scimError } from '../errors.js';
import { parseValueFilter } from '../filter/parse.js';
import { PATCH_URN } from '../schema.js';

/** One operation. */
export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string | undefined;
  readonly value: unknown;
  /** Whether the operation carried a `value` member at all. */
  readonly hasValue: boolean;
}

/** A PATCH path split into its parts. */
export interface PatchPath {
  /** `emails`, `name.givenName`, `urn:…:User:manager` ... */
  readonly attrPath: string;
  readonly filter: FilterNode | undefined;
  /** The sub-attribute after `]`. */
  readonly subAttr: string | undefined;
}

/** Most operations one PATCH request may carry. */
export const MAX_OPERATIONS = 1000;

/** Reads a PatchOp body. */
export function readPatch(body: unknown): PatchOperation[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw scimError(400, 'invalidSyntax', 'a PatchOp body is a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (b.schemas !== undefined && (!Array.isArray(b.schemas) || !b.schemas.includes(PATCH_URN))) {
    throw scimError(400, 'invalidSyntax', `a PatchOp lists the schema "${PATCH_URN}"`);
  }
  const ops = b.Operations ?? b.operations;
  if (!Array.isArray(ops) || ops.length === 0) {
    throw scimError(400, 'invalidSyntax', 'a PatchOp needs a non-empty "Operations" array');
  }
  if (ops.length > MAX_OPERATIONS) {
    throw scimError(
      400,
      'invalidValue',
      `a PatchOp may carry at most ${MAX_OPERATIONS} operations`,
    );
  }
  return ops.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw scimError(400, 'invalidSyntax', `Operations[${i}] is not an object`);
    }
    const o = raw as Record<string, unknown>;
    const op = typeof o.op === 'string' ? o.op.trim().toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace') {
      throw scimError(400, 'invalidSyntax', `Operations[${i}].op must be add, remove or replace`);
    }
    if (
      o.path !== undefined &&
      o.path !== null &&
      (typeof o.path !== 'string' || o.path.trim() === '')
    ) {
      throw scimError(400, 'invalidPath', `Operations[${i}].path must be a non-empty string`);
    }
    const path = typeof o.path === 'string' ? o.path.trim() : undefined;
    if (op === 'remove' && path === undefined) {
      throw scimError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
    }
    return { op, path, value: o.value, hasValue: 'value' in o };
  });
}

/** Splits a PATCH path; a malformed one is a 400 `invalidPath`. */
export function parsePath(path: string): PatchPath {
  const open = path.indexOf('[');
  if (open < 0) {
    if (path.includes(']')) throw scimError(400, 'invalidPath', `invalid path "${path}"`);
    return { attrPath: path, filter: undefined, subAttr: undefined };
  }
  const close = path.lastIndexOf(']');
  if (close < open || open === 0) throw scimError(400, 'invalidPath', `invalid path "${path}"`);
  const rest = path.slice(close + 1);
  if (rest !== '' && !/^\.[A-Za-z$][\w$-]*$/.test(rest)) {
    throw scimError(400, 'invalidPath', `invalid path "${path}"`);
  }
  let filter: FilterNode;
  try {
    filter = parseValueFilter(path.slice(open + 1, close));
  } catch (e) {
    const err = e as { status?: number; message?: string };
    if (err.status === 400) throw scimError(400, 'invalidFilter', `path "${path}": ${err.message}`);
    throw e;
  }
  return { attrPath: path.slice(0, open), filter, subAttr: rest ? rest.slice(1) : undefined };
}

/**
 * The inputs of `authz.checkMany` and `authz.check`, and the `orgId` of every read, validated by
 * hand (issue 15). `checkMany`'s is the one input with thousands of elements, and zod's generic
 * walk was a fifth of such a request's CPU; a single check is the most frequent request, and
 * zod's two parses were 5% of its CPU. Each parse accepts
 * only plain, common input the zod schema accepts, and returns what zod would; anything else
 * (bad input, but also a surrogate pair in an id or an explicit `undefined`) returns undefined,
 * and the caller runs the zod schema, which answers or refuses as always. So errors are zod's,
 * word for word. `check-input.test.ts` holds each to its schema on generated inputs.
 */
import type { CheckRequest } from '@gatehouse/core';
import { idPattern, PERMISSION_PATTERN as PERMISSION } from './schemas.js';

/** What could make text unstorable (a NUL, any surrogate): such input goes to zod. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it looks for.
const UNUSUAL = /[\u0000\ud800-\udfff]/;
const MAX_CHECKS = 10_000;
/** An organization's id, as `orgId` in schemas.ts requires it. */
const ORG_ID = idPattern('org');

/** The parsed input, as `authzReads.checkMany.input` parses it. */
export interface CheckManyInput {
  minRevision?: number;
  checks: CheckRequest[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 100 && !UNUSUAL.test(v);
}

function checkOf(v: unknown): CheckRequest | undefined {
  if (!isRecord(v)) return undefined;
  const { subject, permission, scope } = v;
  if (!isId(subject) || !isId(scope)) return undefined;
  if (typeof permission !== 'string' || !PERMISSION.test(permission)) return undefined;
  if (!('environment' in v)) return { subject, permission, scope };
  const environment = v.environment;
  if (environment !== 'live' && environment !== 'sandbox') return undefined;
  return { subject, permission, scope, environment };
}

/** The parsed input, as `authzReads.check.input` parses it. */
export type CheckInput = CheckRequest & { minRevision?: number };

/** `raw.minRevision`: undefined when absent, the number when plain and valid, else null. */
function minRevisionOf(raw: Record<string, unknown>): number | undefined | null {
  if (!('minRevision' in raw)) return undefined;
  const minRevision = raw.minRevision;
  return typeof minRevision === 'number' && Number.isSafeInteger(minRevision) && minRevision > 0
    ? minRevision
    : null;
}

/** `raw.orgId` when `raw` has a plain valid one (`orgInput`); undefined: let zod decide. */
export function fastOrgId(raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  const { orgId } = raw;
  return typeof orgId === 'string' && ORG_ID.test(orgId) ? orgId : undefined;
}

/** `authz.check`'s `raw` parsed when it is plain valid input; undefined: let zod decide. */
export function fastCheckInput(raw: unknown): CheckInput | undefined {
  const check = checkOf(raw);
  if (check === undefined) return undefined;
  const minRevision = minRevisionOf(raw as Record<string, unknown>);
  if (minRevision === null) return undefined;
  return minRevision === undefined ? check : { ...check, minRevision };
}

/** `raw` parsed when it is plain valid input; undefined: let the zod schema decide. */
export function fastCheckManyInput(raw: unknown): CheckManyInput | undefined {
  if (!isRecord(raw)) return undefined;
  const { checks } = raw;
  if (!Array.isArray(checks) || checks.length < 1 || checks.length > MAX_CHECKS) return undefined;
  const out: CheckRequest[] = new Array(checks.length);
  for (let i = 0; i < checks.length; i++) {
    const c = checkOf(checks[i]);
    if (c === undefined) return undefined;
    out[i] = c;
  }
  const minRevision = minRevisionOf(raw);
  if (minRevision === null) return undefined;
  return minRevision === undefined ? { checks: out } : { minRevision, checks: out };
}

/** zod pieces shared by the routers. */
import { z } from 'zod';
import { storable, text } from './text.js';

export { jsonValue, storable, text } from './text.js';

/** The pattern of an id with a known prefix (also read by check-input.ts's hand parse). */
export const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{1,64}$`);

/** An id with a known prefix (`org_…`). */
export const idOf = (prefix: string) =>
  z.string().regex(idPattern(prefix), `must be an id starting with "${prefix}_"`);

/** Any Gatehouse id (org, scope, user, group, client ...). */
export const anyId = text({ min: 1, max: 100 });
export const orgId = idOf('org');
export const environment = z.enum(['live', 'sandbox']);
export const minRevision = z.number().int().positive().optional();
export const cursor = text({ max: 200 }).nullish();
export const limit = z.number().int().min(1).max(1000).optional();
/** The pattern of a permission, `module.action` (also read by check-input.ts's hand parse). */
export const PERMISSION_PATTERN = /^[a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9_]*$/;
export const permission = z.string().regex(PERMISSION_PATTERN, 'must look like "module.action"');
/** An http(s) URL to an image. */
export const avatarUrl = storable(z.string().url().max(2000));

/** A role at a scope (defaults to the org root). */
export const roleAt = z.object({
  role: text({ min: 1, max: 100 }),
  scopeId: anyId.optional(),
  environment: environment.nullish(),
});

/** One check request (C1). */
export const checkRequest = z.object({
  subject: anyId,
  permission,
  scope: anyId,
  environment: environment.optional(),
});

/** A password as typed (the domain's policy says what it must be, and why not). */
export const password = text({ min: 1, max: 256 });
/** The token of a one-time link sent by email (an invitation, a password reset). */
export const linkToken = text({ min: 16, max: 200 });
/** A TOTP code as typed: six digits (spaces around are trimmed by the use case). */
export const totpCode = text({ min: 6, max: 12 });
/** A recovery code as typed (`abcd-efgh-jkmn-pqrs`; case, spaces and dashes do not count). */
export const recoveryCode = text({ min: 8, max: 64 });
/** A current code or a recovery code (exactly one; the use case says so otherwise). */
export const secondFactor = { code: totpCode.optional(), recoveryCode: recoveryCode.optional() };

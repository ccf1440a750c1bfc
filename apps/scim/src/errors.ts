/**
 * The one place errors become SCIM error bodies (RFC 7644 §3.12): `schemas` is the Error
 * message URN, `status` a string, `scimType` where the RFC names one. Domain errors, SCIMMY's
 * errors, body-parser errors and database data errors are mapped here; anything else is a 500
 * with no internals in the body.
 */
import { DomainError, isUniqueViolation, type ScimType, scimTypeOf } from '@gatehouse/domain';
import { EdgeError, internalErrorMessage, newErrorId } from '@gatehouse/edge';
import type { Response } from 'express';
import SCIMMY from 'scimmy';

/** The SCIM error message schema. */
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type { ScimType } from '@gatehouse/domain';

/** A SCIM error as SCIMMY knows it (so errors thrown inside SCIMMY handlers pass through). */
export type ScimError = InstanceType<typeof SCIMMY.Types.Error>;

/**
 * A SCIM error to throw: `throw scimError(400, 'invalidFilter', 'unknown attribute "foo"')`.
 * (SCIMMY turns any other error thrown by a resource handler into a 404, see TOOLCHAIN P19.)
 */
export function scimError(status: number, scimType: ScimType | null, detail: string): ScimError {
  return new SCIMMY.Types.Error(status, scimType as string, detail);
}

/** The JSON body of an error response. */
export interface ScimErrorBody {
  readonly schemas: [typeof ERROR_URN];
  readonly status: string;
  readonly scimType?: string;
  readonly detail?: string;
}

const DOMAIN_STATUS = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  CONFLICT: 409,
  INVARIANT: 409,
  INVALID: 400,
  TOO_MANY_REQUESTS: 429,
} as const satisfies Record<DomainError['code'], number>;

const BODY_PARSER_ERRORS: Record<string, [number, ScimType | null, string]> = {
  'entity.parse.failed': [400, 'invalidSyntax', 'the request body is not valid JSON'],
  'entity.too.large': [413, null, 'the request body is too large'],
  'encoding.unsupported': [400, 'invalidSyntax', 'unsupported content encoding'],
  'charset.unsupported': [400, 'invalidSyntax', 'unsupported charset'],
  'request.aborted': [400, 'invalidSyntax', 'the request was aborted'],
  'request.size.invalid': [400, 'invalidSyntax', 'the request body size does not match'],
};

/** What `toScimError` makes of a thrown value. */
export interface MappedError {
  readonly error: ScimError;
  /** Whether it was not expected (to be logged). */
  readonly internal: boolean;
  /** For an unexpected error: the opaque id in its `detail`, to log the error under. */
  readonly id?: string | undefined;
}

/**
 * An unexpected error as its caller sees it: status 500 (or the 5xx SCIMMY chose, but never
 * 501's text) with `internal error (id err_…)` and nothing of the error itself.
 */
function opaque(status: number): MappedError {
  const id = newErrorId();
  const error = scimError(status, null, internalErrorMessage(id));
  opaqueErrors.add(error);
  return { error, internal: true, id };
}

/** Errors `opaque` made: mapped again (passed on by SCIMMY), they stay as they are. */
const opaqueErrors = new WeakSet<object>();

/** Maps any thrown value to a SCIM error; unexpected ones get an opaque id. */
export function toScimError(e: unknown): MappedError {
  if (e instanceof SCIMMY.Types.Error) {
    if (opaqueErrors.has(e)) return { error: e, internal: false };
    return e.status >= 500 && e.status !== 501 ? opaque(e.status) : { error: e, internal: false };
  }
  if (e instanceof EdgeError) {
    const type: ScimType | null =
      e.reason === 'too_deep' || e.reason === 'malformed'
        ? 'invalidSyntax'
        : e.reason === 'unstorable'
          ? 'invalidValue'
          : null;
    return { error: scimError(e.status, type, e.message), internal: false };
  }
  if (e instanceof DomainError) {
    const details = e.details as { reason?: string } | undefined;
    if (e.code === 'CONFLICT' && details?.reason === 'version_mismatch') {
      return { error: scimError(412, null, e.message), internal: false };
    }
    const type: ScimType | null =
      e.code === 'INVALID'
        ? (scimTypeOf(e) ?? 'invalidValue')
        : e.code === 'CONFLICT' && details?.reason === 'uniqueness'
          ? 'uniqueness'
          : null;
    return { error: scimError(DOMAIN_STATUS[e.code], type, e.message), internal: false };
  }
  const bodyError = (e as { type?: unknown })?.type;
  if (typeof bodyError === 'string' && BODY_PARSER_ERRORS[bodyError]) {
    const [status, type, detail] = BODY_PARSER_ERRORS[bodyError];
    return { error: scimError(status, type, detail), internal: false };
  }
  const httpStatus = (e as { status?: unknown; expose?: unknown })?.status;
  if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
    // http-errors from Express itself (a malformed %-escape in the path, ...).
    return {
      error: scimError(httpStatus, null, (e as Error).message || 'bad request'),
      internal: false,
    };
  }
  if (isUniqueViolation(e)) {
    return {
      error: scimError(409, 'uniqueness', 'a unique value is already in use'),
      internal: false,
    };
  }
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('22')) {
    // PostgreSQL data exceptions (class 22): the input was out of range. Limits (class 54) stay
    // 500s: input cannot reach them past the filter and body limits, so one is a server fault,
    // and identity providers retry a 5xx but drop a change answered with a 4xx.
    return {
      error: scimError(400, 'invalidValue', 'a value is out of range or malformed'),
      internal: false,
    };
  }
  return opaque(500);
}

/** The `scimType` a thrown SCIM or domain error carries, if any. */
export function scimTypeOfError(e: unknown): string | undefined {
  if (e instanceof SCIMMY.Types.Error) return e.scimType || undefined;
  return scimTypeOf(e);
}

/** The body for a SCIM error. */
export function errorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [ERROR_URN],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    ...(error.message ? { detail: error.message } : {}),
  };
}

/**
 * Writes a SCIM JSON body with `res.end`: Express's `res.send` would add a content-hash ETag
 * to every response, and SCIM ETags are resource versions (RFC 7644 §3.14).
 */
export function writeJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/scim+json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** `WWW-Authenticate` challenge sent with every 401 (RFC 6750 §3). */
export const AUTH_CHALLENGE = 'Bearer realm="gatehouse-scim"';

/**
 * Sends `e` as a SCIM error response; returns the opaque id when it was unexpected (to be
 * logged with it), else null.
 */
export function sendError(res: Response, e: unknown): string | null {
  const { error, id } = toScimError(e);
  if (res.headersSent) return id ?? null;
  if (error.status === 401 && !res.getHeader('WWW-Authenticate')) {
    res.setHeader('WWW-Authenticate', AUTH_CHALLENGE);
  }
  if (error.status === 429) {
    const wait = Number((e as { retryAfterSeconds?: unknown }).retryAfterSeconds);
    const details = e instanceof DomainError ? e.details : undefined;
    const seconds = Number.isFinite(wait) && wait > 0 ? wait : Number(details?.retryAfterSeconds);
    if (Number.isFinite(seconds) && seconds > 0)
      res.setHeader('Retry-After', String(Math.ceil(seconds)));
  }
  writeJson(res, error.status, errorBody(error));
  return id ?? null;
}

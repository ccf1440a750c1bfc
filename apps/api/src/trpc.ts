/**
 * tRPC setup: the request context (services and the authenticated caller), domain errors mapped
 * to tRPC codes in one place, and the procedures routers build on.
 *
 * The router's type is published with `@gatehouse/sdk`, so it must name no server-side type:
 * tRPC is initialised with the context type `object` (procedures get the full `ApiContext` from
 * the first middleware, which checks it), and errors have the declared shape `ApiErrorShape`.
 */
import {
  type Call,
  type Caller,
  DomainError,
  type DomainErrorCode,
  inOrg,
  MFA_ENROLLMENT_REQUIRED,
  type Services,
} from '@gatehouse/domain';
import { internalErrorMessage } from '@gatehouse/edge';
import {
  initTRPC,
  type TRPC_ERROR_CODE_KEY,
  type TRPC_ERROR_CODE_NUMBER,
  TRPCError,
} from '@trpc/server';
import { ZodError, z } from 'zod';
import { errorIdOf } from './internal-errors.js';
import { orgId } from './schemas.js';

/** What every procedure sees. */
export interface ApiContext {
  readonly services: Services;
  /** Null when no valid bearer key came with the request. */
  readonly caller: Caller | null;
  /** Why authentication failed, when a key was presented but refused. */
  readonly authError: string | null;
  /** Facts about the request, for public procedures that record them (login). */
  readonly request?: {
    readonly requestId?: string | undefined;
    readonly userAgent?: string | undefined;
    readonly ip?: string | undefined;
  };
}

/** Which input fields were wrong and why (zod's flattened error). */
export interface InputErrors {
  /** Errors of the input as a whole. */
  formErrors: string[];
  /** Errors per top-level field. */
  fieldErrors: Partial<Record<string, string[]>>;
}

/** `data` of every API error, as clients receive it (`TRPCClientError#data`). */
export interface ApiErrorData {
  /** The tRPC code: `NOT_FOUND`, `FORBIDDEN`, `BAD_REQUEST`, ... */
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  /** The procedure, e.g. `authz.check`. */
  path?: string;
  /** Gatehouse's code (`INVARIANT`, `INVALID`, ...); null for input validation and others. */
  domainCode: DomainErrorCode | null;
  /** Details of a domain error, e.g. `retryAfterSeconds` of `TOO_MANY_REQUESTS`. */
  details: Record<string, unknown> | null;
  /** Which input fields were wrong, for input validation errors. */
  zodError: InputErrors | null;
}

/** Every API error as it goes over the wire. */
export interface ApiErrorShape {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: ApiErrorData;
}

const CODE_MAP = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  CONFLICT: 'CONFLICT',
  INVARIANT: 'PRECONDITION_FAILED',
  INVALID: 'BAD_REQUEST',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
} as const satisfies Record<DomainError['code'], TRPCError['code']>;

/** Maps a domain error to its tRPC error (the one place this happens for the API). */
export function toTRPCError(e: unknown): unknown {
  if (e instanceof DomainError) {
    return new TRPCError({ code: CODE_MAP[e.code], message: e.message, cause: e });
  }
  return e;
}

/** Whether a tRPC context is the one `createApiHandler` makes. */
function isApiContext(ctx: object): ctx is ApiContext {
  return 'services' in ctx && 'caller' in ctx;
}

const t = initTRPC.context<object>().create({
  errorFormatter({ shape, error }): ApiErrorShape {
    const cause = error.cause;
    // Unexpected errors carry whatever their source said (SQL, driver text, file paths): the
    // caller gets an id instead, and the server's log has the detail under the same id.
    const message =
      error.code === 'INTERNAL_SERVER_ERROR'
        ? internalErrorMessage(errorIdOf(error))
        : cause instanceof ZodError
          ? `invalid input: ${cause.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`
          : shape.message;
    // Never ship a server stack trace to clients, whatever NODE_ENV says.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message,
      data: {
        ...data,
        // Domain code (INVARIANT, INVALID, ...) and details, for programs.
        domainCode: cause instanceof DomainError ? cause.code : null,
        details: cause instanceof DomainError ? (cause.details ?? null) : null,
        // Zod's issues, flattened: which field was wrong and why.
        zodError: cause instanceof ZodError ? cause.flatten() : null,
      },
    };
  },
});

/** Gives procedures the full context (tRPC's own type for it is `object`). */
const withApiContext = t.middleware(({ ctx, next }) => {
  if (!isApiContext(ctx)) throw new Error('the tRPC context must come from createApiHandler');
  return next({ ctx });
});

const mapErrors = t.middleware(async ({ next }) => {
  const res = await next();
  if (!res.ok && res.error.cause instanceof DomainError) {
    throw toTRPCError(res.error.cause);
  }
  return res;
});

/** Builds routers. */
export const router = t.router;
/** Anyone may call; domain errors are mapped. */
export const publicProcedure = t.procedure.use(withApiContext).use(mapErrors);
/**
 * What a session restricted to MFA enrollment (the org requires MFA; signed in with a password
 * alone, no authenticator yet) may call: everything else is FORBIDDEN, saying to enroll.
 */
export const MFA_ENROLLMENT_PROCEDURES: ReadonlySet<string> = new Set([
  'accounts.mfa',
  'accounts.enrollTotp',
  'accounts.confirmTotp',
  'sessions.me',
  'sessions.logout',
]);

/**
 * The use cases' `Call` of an authenticated request to `path`, or the error its procedure
 * answers: UNAUTHORIZED without a valid bearer key; FORBIDDEN, saying to enroll, for a session
 * restricted to MFA enrollment outside MFA_ENROLLMENT_PROCEDURES. `authedProcedure` and the
 * direct read route (direct-reads.ts) both authorize with it.
 */
export function authedCall(ctx: ApiContext, path: string): Call {
  if (!ctx.caller) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message:
        ctx.authError ??
        'send "Authorization: Bearer <instance admin key, API client key or session token>"',
    });
  }
  const p = ctx.caller.principal;
  if (
    p.kind === 'user' &&
    p.restricted === 'mfa_enrollment' &&
    !MFA_ENROLLMENT_PROCEDURES.has(path)
  ) {
    throw new TRPCError({ code: 'FORBIDDEN', message: MFA_ENROLLMENT_REQUIRED });
  }
  return { services: ctx.services, caller: ctx.caller };
}

/**
 * Requires a valid bearer key; `ctx.caller` is then set; a session restricted to MFA enrollment
 * reaches only MFA_ENROLLMENT_PROCEDURES (`authedCall`). One middleware does what
 * `withApiContext`, `mapErrors` and the caller check would do in three: every level of tRPC's
 * middleware chain copies its options and context, which a permission check pays per request
 * (issue 15).
 */
export const authedProcedure = t.procedure.use(async ({ ctx, path, next }) => {
  if (!isApiContext(ctx)) throw new Error('the tRPC context must come from createApiHandler');
  const call = authedCall(ctx, path);
  const res = await next({ ctx: { ...ctx, caller: call.caller, call } });
  if (!res.ok && res.error.cause instanceof DomainError) throw toTRPCError(res.error.cause);
  return res;
});

/** The input every procedure inside one organization takes. */
export const orgInput = z.object({ orgId });

/**
 * A procedure inside one organization (tRPC's base-procedure pattern): its input has `orgId`,
 * and `ctx.call` is the use cases' `OrgCall` for that org, built once here so routers pass
 * `(ctx.call, input)` and never re-pass the org.
 */
export const orgProcedure = authedProcedure
  .input(orgInput)
  .use(({ ctx, input, next }) => next({ ctx: { call: inOrg(ctx.call, input.orgId) } }));

/**
 * The direct read route (issue 15): permission reads answered from the table of authz-reads.ts
 * without tRPC's middleware chain, which copies its options and context at every level (babel's
 * object spread, measured as the largest cost left in the lean route). The steps are the
 * procedures' own, in their order: authenticate and authorize the call (`authedCall`), validate
 * `orgId` then the read's input with the same zod schemas (a failure is the same BAD_REQUEST;
 * `orgId`, `authz.check` and `authz.checkMany` try a hand-written parse of plain input first,
 * check-input.ts),
 * run the same use case, map a domain error the same way; errors get the same shape from tRPC's
 * error formatter. `lean-reads.test.ts` holds this route, the lean one and tRPC's adapter to the
 * same answers.
 */
import type { Decision } from '@gatehouse/core';
import { inOrg } from '@gatehouse/domain';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { ApiCallbacks } from './api-context.js';
import { type AuthzRead, type AuthzReadName, authzReads } from './authz-reads.js';
import { fastOrgId } from './check-input.js';
import { decisionsJson, RawJson } from './decisions-json.js';
import { type ReadRoute, readRoute } from './read-framing.js';
import { authedCall, orgInput } from './trpc.js';

const PREFIX = 'authz.';
const CHECK_MANY = 'authz.checkMany';

/** `checkMany`'s answer with its decisions written as JSON already (decisions-json.ts). */
function withDecisionsJson(answer: unknown): unknown {
  const at = answer as { result: Decision[] };
  return { ...at, result: new RawJson(decisionsJson(at.result)) };
}

function readOf(path: string): AuthzRead | undefined {
  const name = path.slice(PREFIX.length);
  return path.startsWith(PREFIX) && Object.hasOwn(authzReads, name)
    ? authzReads[name as AuthzReadName]
    : undefined;
}

/** Parses as tRPC's input middleware does: a schema failure is a BAD_REQUEST caused by it. */
function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: result.error });
  return result.data;
}

/** Makes the route from the API handler's context and error hook. */
export function createDirectReads(callbacks: ApiCallbacks): ReadRoute {
  return readRoute(
    callbacks,
    (path) => readOf(path) !== undefined,
    ({ path, ctx, input }) => {
      const call = authedCall(ctx, path);
      const raw = input();
      const orgId = fastOrgId(raw) ?? parse(orgInput, raw).orgId;
      const read = readOf(path)!;
      const answer = read.run(inOrg(call, orgId), read.fastParse?.(raw) ?? parse(read.input, raw));
      return path === CHECK_MANY ? answer.then(withDecisionsJson) : answer;
    },
  );
}

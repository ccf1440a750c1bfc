/**
 * The direct read route (issue 15): permission reads answered from the table of authz-reads.ts
 * without tRPC's middleware chain, which copies its options and context at every level (babel's
 * object spread, measured as the largest cost left in the lean route). The steps are the
 * procedures' own, in their order: authenticate and authorize the call (`authedCall`), validate
 * `orgId` then the read's input with the same zod schemas (a failure is the same BAD_REQUEST;
 * `authz.checkMany` tries a hand-written parse of plain input first, check-many-input.ts),
 * run the same use case, map a domain error the same way; errors get the same shape from tRPC's
 * error formatter. `lean-reads.test.ts` holds this route, the lean one and tRPC's adapter to the
 * same answers.
 */
import { DomainError, inOrg } from '@gatehouse/domain';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { ApiCallbacks } from './api-context.js';
import { type AuthzRead, type AuthzReadName, authzReads } from './authz-reads.js';
import { inputsOf, isPlainQuery, ReadAnswers, type ReadRoute } from './read-framing.js';
import { authedCall, orgInput, toTRPCError } from './trpc.js';

const PREFIX = 'authz.';

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
  return {
    serves(req, calls) {
      return isPlainQuery(req) && calls.paths.every((p) => readOf(p) !== undefined);
    },
    async serve(req, res, calls) {
      const inputs = inputsOf(req, calls);
      const ctx = await callbacks.createContext({ req });
      const answers = new ReadAnswers(callbacks, req, ctx);
      await Promise.all(
        calls.paths.map(async (path, index) => {
          let input: unknown;
          try {
            const call = authedCall(ctx, path);
            input = inputs()[index];
            const { orgId } = parse(orgInput, input);
            const read = readOf(path)!;
            const parsed = read.fastParse?.(input) ?? parse(read.input, input);
            const data = await read.run(inOrg(call, orgId), parsed);
            answers.ok(index, data);
          } catch (e) {
            answers.fail(index, path, e instanceof DomainError ? toTRPCError(e) : e, input);
          }
        }),
      );
      answers.send(res, calls);
    },
  };
}

/**
 * Requests derived from every tRPC procedure: the procedure list and each one's zod input are
 * read from `appRouter` at run time, inputs drawn by `validish` and often broken by `mutate`, sent
 * as a query (GET `?input=`, or POST for long ones) or a mutation, alone or batched, with one
 * of the run's credentials (admin, org client, other org's client, user session, none, junk).
 */
import { procedureInputs } from '@gatehouse/api';
import fc from 'fast-check';
import type { FuzzRequest } from './client.js';
import type { FuzzWorld } from './fixture.js';
import { hostileJson } from './hostile.js';
import { mutate, validish } from './zod-arbitrary.js';

interface ProcedureInfo {
  readonly path: string;
  readonly type: 'query' | 'mutation';
  readonly input: fc.Arbitrary<unknown>;
}

/** Every procedure with an input arbitrary built from its schema. */
export function procedures(world: FuzzWorld): ProcedureInfo[] {
  return procedureInputs().map(({ path, type, input: schema }) => {
    const valid = schema ? validish(schema, world.pool) : fc.constant(undefined);
    return {
      path,
      type,
      input: fc.oneof(
        { weight: 4, arbitrary: valid },
        { weight: 5, arbitrary: valid.chain(mutate) },
        { weight: 1, arbitrary: hostileJson },
      ),
    };
  });
}

function credential(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const k = world.keys;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(k.admin) },
    { weight: 4, arbitrary: fc.constant(k.clientA) },
    { weight: 1, arbitrary: fc.constant(k.clientB) },
    { weight: 2, arbitrary: fc.constant(k.session) },
    { weight: 2, arbitrary: fc.constant(k.weak) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('cli_nope.nope', 'ses_nope.x', 'sct_x.y', 'not-a-key'),
    },
  );
}

/** `count` requests over all procedures. */
export function trpcRequests(world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const procs = procedures(world);
  const call = fc.tuple(
    fc.constantFrom(...procs),
    credential(world),
    fc.integer({ min: 1, max: 10 }),
  );
  return fc
    .sample(
      call.chain(([p, key, batchRoll]) => {
        const size = batchRoll === 1 ? 3 : 1;
        const same = procs.filter((q) => q.type === p.type);
        const others = fc.array(fc.constantFrom(...same), {
          minLength: size - 1,
          maxLength: size - 1,
        });
        return fc.tuple(fc.constant(p), fc.constant(key), others).chain(([first, k, rest]) => {
          const all = [first, ...rest];
          return fc
            .tuple(...all.map((x) => x.input))
            .map((inputs) => toRequest(all, inputs, k, size > 1));
        });
      }),
      { numRuns: count, seed },
    )
    .map((r) => r);
}

function toRequest(
  calls: ProcedureInfo[],
  inputs: unknown[],
  key: string | undefined,
  batch: boolean,
): FuzzRequest {
  const paths = calls.map((c) => c.path).join(',');
  const payload = batch ? Object.fromEntries(inputs.map((x, i) => [String(i), x])) : inputs[0];
  const json = payload === undefined ? '' : JSON.stringify(payload);
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const label = `trpc ${paths}`;
  const query = batch ? 'batch=1' : '';
  if (calls[0]!.type === 'query') {
    const qs = [query, json ? `input=${encodeURIComponent(json)}` : ''].filter(Boolean).join('&');
    if (qs.length < 6000)
      return { label, method: 'GET', path: `/trpc/${paths}${qs ? `?${qs}` : ''}`, headers };
  }
  return {
    label,
    method: 'POST',
    path: `/trpc/${paths}${query ? `?${query}` : ''}`,
    headers: { ...headers, 'content-type': 'application/json' },
    body: json,
  };
}

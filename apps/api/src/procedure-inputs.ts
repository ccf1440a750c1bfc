/**
 * Every query and mutation of `appRouter` with its whole input schema. A procedure built on
 * `orgProcedure` has two input parsers (the base's `{ orgId }` and its own); tRPC merges what
 * they parse, and so does this list, so generated tests and documents see the input a client
 * really sends.
 */
import { z } from 'zod';
import { appRouter } from './root.js';

/** One procedure: its dotted path, its kind and its merged input schema (none: no input). */
export interface ProcedureInput {
  readonly path: string;
  readonly type: 'query' | 'mutation';
  readonly input: z.ZodType | undefined;
}

interface ProcedureDef {
  readonly _def?: { readonly type?: string; readonly inputs?: readonly z.ZodType[] };
}

/** An input's alternatives: an object, or each object of a union (`sso.createConnection`). */
function alternatives(path: string, input: z.ZodType): z.ZodObject[] {
  if (input instanceof z.ZodObject) return [input];
  if (input instanceof z.ZodUnion && input.options.every((o) => o instanceof z.ZodObject)) {
    return input.options as z.ZodObject[];
  }
  throw new Error(`${path}: chained inputs must be objects (or unions of objects) to merge`);
}

function merged(path: string, inputs: readonly z.ZodType[]): z.ZodType | undefined {
  if (inputs.length <= 1) return inputs[0];
  let all: Array<Record<string, z.ZodType>> = [{}];
  for (const input of inputs) {
    const options = alternatives(path, input);
    all = all.flatMap((shape) => options.map((o) => ({ ...shape, ...o.shape })));
  }
  const objects = all.map((shape) => z.object(shape));
  return objects.length === 1 ? objects[0] : z.union(objects as [z.ZodObject, z.ZodObject]);
}

/** The router's queries and mutations, in definition order. */
export function procedureInputs(): ProcedureInput[] {
  const record = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
  const out: ProcedureInput[] = [];
  for (const [path, p] of Object.entries(record)) {
    const type = p._def?.type;
    if (type !== 'query' && type !== 'mutation') continue;
    out.push({ path, type, input: merged(path, p._def?.inputs ?? []) });
  }
  return out;
}

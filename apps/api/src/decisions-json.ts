/**
 * `authz.checkMany`'s answer written faster (issue 15): a batch of 1,000 decisions is mostly the
 * one shared `GRANTED` object, which `JSON.stringify` wrote out again for every check (half of
 * a request's serialization). `RawJson` carries JSON text already written into `ReadAnswers`
 * (read-framing.ts), which splices it into the envelope; the bytes are exactly
 * `JSON.stringify`'s (`decisions-json.test.ts`).
 */
import { type Decision, GRANTED } from '@gatehouse/core';

/** JSON text standing for a value, spliced in where the value would be written. */
export class RawJson {
  constructor(readonly text: string) {}
}

const GRANTED_JSON = JSON.stringify(GRANTED);

/** `JSON.stringify(decisions)`, with the shared grant written once. */
export function decisionsJson(decisions: readonly Decision[]): string {
  let out = '[';
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    if (i > 0) out += ',';
    out += d === GRANTED ? GRANTED_JSON : JSON.stringify(d);
  }
  return `${out}]`;
}

/** A placeholder no answer can contain: a JSON string with a NUL and a random tag. */
const MARK = `\u0000raw-json-${Math.random().toString(36).slice(2)}\u0000`;
const MARK_JSON = JSON.stringify(MARK);

/**
 * `JSON.stringify(answer)` for one tRPC answer whose `result.data.result` may be `RawJson`
 * (spliced in as its text); any other answer is stringified as it is.
 */
export function answerJson(answer: unknown): string {
  const result = (answer as { result?: { data?: unknown } }).result;
  const data = result?.data as { result?: unknown } | undefined;
  if (!(data?.result instanceof RawJson)) return JSON.stringify(answer);
  const raw = data.result.text;
  const text = JSON.stringify({
    ...(answer as object),
    result: { ...result, data: { ...data, result: MARK } },
  });
  return text.replace(MARK_JSON, () => raw);
}

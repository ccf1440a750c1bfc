/**
 * `authz.checkMany`'s answer written faster (issue 15), in two ways:
 * - a batch of 1,000 decisions is mostly the one shared `GRANTED` object, which `JSON.stringify`
 *   wrote out again for every check (half of a request's serialization): `RawJson` carries JSON
 *   text already written into `ReadAnswers` (read-framing.ts), which splices it into the
 *   envelope;
 * - the text stays in pieces of at most about `CHUNK_CHARS` characters up to the socket. One
 *   string of a whole answer (150 KB for 1,000 denials) is larger than V8's regular heap objects
 *   (128 KB), so each one is given fresh pages of its own, and every page is a fault: measured
 *   in the server, 39 faults and 0.6 ms for each such string, and an answer built four of them
 *   (decisions, envelope, batch, body), more than half of the request's CPU.
 * The bytes are exactly `JSON.stringify`'s (`decisions-json.test.ts`).
 */
import { type Decision, GRANTED } from '@gatehouse/core';

/** JSON text standing for a value, in pieces, spliced in where the value would be written. */
export class RawJson {
  constructor(readonly chunks: readonly string[]) {}
}

/** Characters a piece of answer text grows to before the next one starts (32 KB two-byte). */
export const CHUNK_CHARS = 16_384;

const GRANTED_JSON = JSON.stringify(GRANTED);
/** The text before a denial's reason, by code: `{"allowed":false,"code":"no_grant","reason":`. */
const DENIAL_HEADS = new Map<string, string>();

/**
 * `JSON.stringify(d)` for a denial as `deny` makes it (a plain object whose own keys are exactly
 * `allowed`, `code`, `reason`, in that order, with strings for the last two): its head is written
 * once per code and only the reason is escaped, twice as fast as the generic walk. Anything else
 * goes to `JSON.stringify`.
 */
function decisionJson(d: Decision): string {
  if (d.allowed !== false || Object.getPrototypeOf(d) !== Object.prototype) {
    return JSON.stringify(d);
  }
  // `allowed` is an own key (the prototype is Object's), so the first of three is it.
  const keys = Object.keys(d);
  const { code, reason } = d;
  if (
    keys.length !== 3 ||
    keys[1] !== 'code' ||
    keys[2] !== 'reason' ||
    typeof code !== 'string' ||
    typeof reason !== 'string'
  ) {
    return JSON.stringify(d);
  }
  let head = DENIAL_HEADS.get(code);
  if (head === undefined) {
    head = `{"allowed":false,"code":${JSON.stringify(code)},"reason":`;
    if (DENIAL_HEADS.size < 64) DENIAL_HEADS.set(code, head);
  }
  return `${head}${JSON.stringify(reason)}}`;
}

/** `JSON.stringify(decisions)` in pieces, with the shared grant written once. */
export function decisionsJson(decisions: readonly Decision[]): string[] {
  const chunks: string[] = [];
  let chunk = '[';
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    if (i > 0) chunk += ',';
    chunk += d === GRANTED ? GRANTED_JSON : decisionJson(d);
    if (chunk.length >= CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(`${chunk}]`);
  return chunks;
}

/** A placeholder no answer can contain: a JSON string with a NUL and a random tag. */
const MARK = `\u0000raw-json-${Math.random().toString(36).slice(2)}\u0000`;
const MARK_JSON = JSON.stringify(MARK);

/**
 * `JSON.stringify(answer)` in pieces, for one tRPC answer whose `result.data.result` may be
 * `RawJson` (spliced in as its pieces); any other answer is stringified as it is, in one piece.
 */
export function answerJson(answer: unknown): string[] {
  const result = (answer as { result?: { data?: unknown } }).result;
  const data = result?.data as { result?: unknown } | undefined;
  if (!(data?.result instanceof RawJson)) return [JSON.stringify(answer)];
  const text = JSON.stringify({
    ...(answer as object),
    result: { ...result, data: { ...data, result: MARK } },
  });
  const at = text.indexOf(MARK_JSON);
  return [text.slice(0, at), ...data.result.chunks, text.slice(at + MARK_JSON.length)];
}

/** `JSON.stringify(answers)` of a batch, in pieces. */
export function batchJson(answers: readonly unknown[]): string[] {
  const chunks = ['['];
  for (let i = 0; i < answers.length; i++) {
    if (i > 0) chunks.push(',');
    chunks.push(...answerJson(answers[i]));
  }
  chunks.push(']');
  return chunks;
}

/**
 * The pieces joined into as few strings as keep each under `CHUNK_CHARS` (a piece already
 * longer stays as it is): a small answer is one string, written in one call.
 */
export function packChunks(chunks: readonly string[]): string[] {
  const packed: string[] = [];
  let run: string[] = [];
  let runChars = 0;
  for (const chunk of chunks) {
    if (runChars + chunk.length > CHUNK_CHARS && run.length > 0) {
      packed.push(run.join(''));
      run = [];
      runChars = 0;
    }
    run.push(chunk);
    runChars += chunk.length;
  }
  if (run.length > 0) packed.push(run.join(''));
  return packed;
}

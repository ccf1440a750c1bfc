/**
 * Issue 15, set-based group commit: a write may say how to run together with like writes queued
 * behind it (`orgWrite(call, fn, { batch })`). The leader of a group commit runs a run of queued
 * writes with the same `key` and the same caller credential as ONE step: `run` gets every
 * item's `OrgWrite` (its own caller, audits and events, all on the same pre-batch engine) and
 * writes them all with a few set-based statements; the engine is caught up once, and the access
 * rules, invariants and seed 004's ownership rule are checked once, on what the whole run
 * leaves. If `run` throws, for whatever reason, nothing of it is kept: the batch runs again with
 * each write on its own (its `fn`), so every caller gets exactly the answer or error it would
 * have got alone. `run` therefore handles only the common case and throws on anything else.
 */
import type { OrgWrite } from './org-write.js';

/** One write of a set-based run: its own `OrgWrite` and its input. */
export interface BatchItem<I> {
  readonly w: OrgWrite;
  readonly input: I;
}

/** How a write runs together with like writes (see the file comment). */
export interface WriteBatch<I, T> {
  /** Writes with the same key (and the same caller credential) may run as one step. */
  readonly key: string;
  /** This write's input, as `run` takes it. */
  readonly input: I;
  /**
   * Writes every item at once and returns each item's result, in order. Each item's audits and
   * events must be those its own write would queue, in the same order. Throws (anything) to
   * have the items run one by one instead.
   */
  readonly run: (items: readonly BatchItem<I>[]) => Promise<T[]>;
}

/** Thrown by a `run` for a case it leaves to the writes run one by one (a reason for tests). */
export class NotBatchable extends Error {
  constructor(reason: string) {
    super(`not batchable: ${reason}`);
    this.name = 'NotBatchable';
  }
}

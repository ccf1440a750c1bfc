/**
 * What both read routes (lean-reads.ts, direct-reads.ts) share: each call's raw
 * input read as tRPC's JSON content handler reads it, which requests they may take, a failed call's wire shape, and the
 * response as tRPC's adapter writes it (status from the answers, `vary`, `Retry-After`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '@gatehouse/domain';
import { TRPCError } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
} from '@trpc/server/unstable-core-do-not-import';
import type { ApiCallbacks } from './api-context.js';
import { answerJson, batchJson, packChunks } from './decisions-json.js';
import { retryAfterHeaders } from './retry-after.js';
import { appRouter } from './root.js';
import { type ApiContext, toTRPCError } from './trpc.js';
import { type EdgeRequest, edgeInputOf } from './trpc-edge.js';
import type { TrpcCalls } from './trpc-edge-errors.js';

/** A read route: `serves` says whether it takes a request (before its body is read). */
export interface ReadRoute {
  serves(req: IncomingMessage, calls: TrpcCalls): boolean;
  /** Answers a request `serves` took, after the edge passed it. */
  serve(req: EdgeRequest, res: ServerResponse, calls: TrpcCalls): Promise<void>;
}

/** Whether a request is a plain (non-streaming) query a read route may take. */
export function isPlainQuery(req: IncomingMessage): boolean {
  return (
    (req.method === 'GET' || req.method === 'POST') && req.headers['trpc-accept'] === undefined
  );
}

/** One call's answer on the wire. */
export type ReadAnswer = { result: { data: unknown } } | { error: unknown };

/**
 * Each call's raw input, parsed once at the edge and split lazily, as tRPC does (an empty body
 * or `?input=` is no input; a batch's input must be an object, else that call is a BAD_REQUEST).
 */
export function inputsOf(req: EdgeRequest, calls: TrpcCalls): () => unknown[] {
  const raw = edgeInputOf(req);
  let inputs: unknown[] | undefined;
  return () => {
    inputs ??= split();
    return inputs;
  };
  function split(): unknown[] {
    if (raw === undefined) return [];
    if (!calls.isBatch) return [raw];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    return calls.paths.map((_, i) => (raw as Record<string, unknown>)[i]);
  }
}

/** What a read route does for one call: its data, or it throws (a domain error or tRPC's). */
export type AnswerCall = (call: {
  readonly path: string;
  readonly index: number;
  readonly ctx: ApiContext;
  /** The call's raw input, read at the point the procedure would read it. */
  readonly input: () => unknown;
}) => Promise<unknown>;

/**
 * A read route that takes plain queries whose every path `takes`, and answers each call of a
 * request with `answer`, in tRPC's wire format (one body for a batch).
 */
export function readRoute(
  callbacks: ApiCallbacks,
  takes: (path: string) => boolean,
  answer: AnswerCall,
): ReadRoute {
  return {
    serves(req, calls) {
      return isPlainQuery(req) && calls.paths.every(takes);
    },
    async serve(req, res, calls) {
      const inputs = inputsOf(req, calls);
      const ctx = await callbacks.createContext({ req });
      const answers = new ReadAnswers(callbacks, req, ctx);
      await Promise.all(
        calls.paths.map(async (path, index) => {
          let input: unknown;
          const read = () => {
            input = inputs()[index];
            return input;
          };
          try {
            answers.ok(index, await answer({ path, index, ctx, input: read }));
          } catch (e) {
            answers.fail(index, path, e, input);
          }
        }),
      );
      answers.send(res, calls);
    },
  };
}

/** The answers of one request, and the errors of the calls that failed (by batch index). */
class ReadAnswers {
  readonly answers: ReadAnswer[] = [];
  readonly errors: (TRPCError | undefined)[] = [];

  constructor(
    private readonly callbacks: ApiCallbacks,
    private readonly req: EdgeRequest,
    private readonly ctx: ApiContext,
  ) {}

  /** Records call `index`'s data. */
  ok(index: number, data: unknown): void {
    this.answers[index] = { result: { data } };
  }

  /**
   * Records call `index`'s failure: a domain error mapped as the procedures map it, reported
   * to the error hook, answered in tRPC's shape.
   */
  fail(index: number, path: string, cause: unknown, input: unknown): void {
    const error = getTRPCErrorFromUnknown(
      cause instanceof DomainError ? toTRPCError(cause) : cause,
    );
    this.errors[index] = error;
    this.callbacks.onError({ error, path, req: this.req });
    this.answers[index] = {
      error: getErrorShape({
        config: appRouter._def._config,
        error,
        type: 'query',
        path,
        input,
        ctx: this.ctx,
      }),
    };
  }

  /** Writes the response as tRPC's adapter would. */
  send(res: ServerResponse, calls: TrpcCalls): void {
    const json = calls.isBatch ? this.answers : this.answers[0]!;
    const failed = this.errors.filter((e): e is TRPCError => e !== undefined);
    const body = packChunks(calls.isBatch ? batchJson(this.answers) : answerJson(json));
    let length = 0;
    for (const chunk of body) length += Buffer.byteLength(chunk);
    res.writeHead(getHTTPStatusCode(json as never, this.errors as TRPCError[]), {
      vary: 'trpc-accept, accept',
      'content-type': 'application/json',
      'content-length': length,
      ...retryAfterHeaders(failed),
    });
    if (body.length === 1) {
      res.end(body[0]);
      return;
    }
    // Corked, the pieces leave in one writev (end uncorks).
    res.cork();
    for (const chunk of body) res.write(chunk);
    res.end();
  }
}

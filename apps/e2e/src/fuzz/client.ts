/**
 * The fuzz suite's HTTP client: keep-alive sockets, a bounded number of requests in flight, a
 * deadline per request, and a verdict per response (5xx, reset, hang, leak). It never throws:
 * every failure is recorded with the request that caused it.
 */
import { Agent, request } from 'node:http';
import { findLeak } from './leaks.js';

/** One request to send. */
export interface FuzzRequest {
  readonly method: string;
  /** Path and query, e.g. `/trpc/orgs.get?input=…`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** A label for reports (`orgs.get mutated`, `scim PATCH /Users/:id`). */
  readonly label: string;
}

/** A failed request. */
export interface FuzzFailure {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly problem: string;
}

/** The client; `failures` fills up as requests go. */
export class FuzzClient {
  readonly failures: FuzzFailure[] = [];
  sent = 0;
  readonly statuses = new Map<number, number>();
  private readonly agent: Agent;
  private readonly origin: URL;

  constructor(
    url: string,
    private readonly timeoutMs = 20_000,
    maxSockets = 8,
  ) {
    this.origin = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Sends `req` and records its verdict; resolves with the status and body text. */
  send(req: FuzzRequest): Promise<{ status: number; text: string }> {
    this.sent++;
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const requestText = `${decodeSafe(req.path)}\n${JSON.stringify(req.headers ?? {})}\n${body?.toString('utf8').slice(0, 200_000) ?? ''}`;
    const fail = (problem: string) => {
      this.failures.push({
        label: req.label,
        method: req.method,
        path: req.path.slice(0, 300),
        body: body?.toString('utf8').slice(0, 300) ?? '',
        problem,
      });
    };
    return new Promise((resolve) => {
      let done = false;
      const finish = (status: number, text: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
        resolve({ status, text });
      };
      const r = request(
        {
          host: this.origin.hostname,
          port: this.origin.port,
          method: req.method,
          path: req.path,
          agent: this.agent,
          headers: {
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...req.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => {
            fail(`response error: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
            finish(0, '');
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 500 && !allowed5xx(status, req.path)) {
              fail(`status ${status}: ${text.slice(0, 300)}`);
            }
            const leak = findLeak(text, requestText);
            if (leak) fail(`leak (${leak}) in status ${status}: ${text.slice(0, 300)}`);
            finish(status, text);
          });
        },
      );
      const timer = setTimeout(() => {
        fail(`no answer within ${this.timeoutMs} ms`);
        r.destroy();
        finish(0, '');
      }, this.timeoutMs);
      r.on('error', (e) => {
        if (done) return;
        fail(`connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
        finish(0, '');
      });
      if (body) r.write(body);
      r.end();
    });
  }

  /** Sends every request of `requests`, `concurrency` at a time. */
  async run(requests: Iterable<FuzzRequest>, concurrency = 8): Promise<void> {
    const it = requests[Symbol.iterator]();
    const worker = async () => {
      for (let n = it.next(); !n.done; n = it.next()) await this.send(n.value);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The one 5xx that is an answer, not a failure: 501 Not Implemented for `/Me`, which the SCIM
 * server does not implement (RFC 7644 §3.11: a directory token has no user). `/Bulk` is served
 * (§3.7), so a 5xx from it is a failure.
 */
function allowed5xx(status: number, path: string): boolean {
  return status === 501 && /^\/scim\/v2\/Me(?:[/?]|$)/.test(path);
}

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path.replace(/\+/g, ' '));
  } catch {
    return path;
  }
}

/**
 * A `fetch` for the bench's SCIM client (issue 15), on `node:http` with a keep-alive agent.
 * Measured in `bench:scim --client-process`, Node 20's global `fetch` (undici, web streams,
 * abort signals) cost the client process about 1.4–1.6 ms of CPU per `POST /Users`, on the same
 * two cores as the server and PostgreSQL, so the client took CPU the server under test needed.
 * An identity provider is another machine; this client costs its share less.
 *
 * It answers only what the SDK's SCIM client reads of a response: `ok`, `status`,
 * `statusText`, `headers.get` and `text()` (packages/sdk `scim.ts`, `call`). Not a general fetch.
 */
import http from 'node:http';

/** The part of a `Response` the SDK's SCIM client reads. */
class LeanResponse {
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly head: http.IncomingHttpHeaders,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const v = this.head[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };

  async text(): Promise<string> {
    return this.body;
  }
}

/** A fetch with up to `sockets` kept-alive connections, for the SDK's SCIM client only. */
export function leanFetch(sockets: number): typeof fetch {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return ((input: string | URL, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const body = typeof init.body === 'string' ? init.body : undefined;
      const headers = { ...(init.headers as Record<string, string>) };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = http.request(
        String(input),
        { agent, method: init.method ?? 'GET', headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const answer = new LeanResponse(
              res.statusCode ?? 0,
              res.statusMessage ?? '',
              res.headers,
              text,
            );
            resolve(answer as unknown as Response);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    })) as typeof fetch;
}

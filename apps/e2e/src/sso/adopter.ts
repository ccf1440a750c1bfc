/**
 * A sample adopter app, as docs/add-sso.md shows it: `/login` sends the browser to Gatehouse's
 * `/sso/authorize` with its own `state` (kept in a cookie), `/callback` checks that state and
 * exchanges the one-time code with its API key, then asks Gatehouse what the person may do.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatehouse } from '@gatehouse/sdk';

/** What the adopter's callback answers (JSON), for the test to read. */
export interface AdopterSession {
  readonly userId: string;
  readonly email: string | null;
  readonly sessionToken: string;
  readonly canWriteFlows: boolean;
}

/** A running adopter app. */
export interface Adopter {
  readonly url: string;
  readonly callbackUrl: string;
  close(): Promise<void>;
}

/** Starts the adopter on loopback. */
export async function startAdopter(opts: {
  gatehouseUrl: string;
  apiKey: string;
  orgId: string;
  connectionId: string;
  /** Where `canWriteFlows` is asked. */
  workspaceId: string;
}): Promise<Adopter> {
  const gh = createGatehouse({ url: opts.gatehouseUrl, apiKey: opts.apiKey });
  let callbackUrl = '';
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://adopter');
    if (url.pathname === '/login') {
      const state = randomBytes(16).toString('base64url');
      const to = new URL('/sso/authorize', opts.gatehouseUrl);
      to.search = new URLSearchParams({
        org: opts.orgId,
        connection: opts.connectionId,
        redirect_uri: callbackUrl,
        state,
      }).toString();
      res.writeHead(302, {
        location: to.href,
        'set-cookie': `adopter_state=${state}; HttpOnly; SameSite=Lax; Path=/`,
      });
      return res.end();
    }
    if (url.pathname === '/callback') {
      const sent = /adopter_state=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      const error = url.searchParams.get('error');
      if (!sent || url.searchParams.get('state') !== sent) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'state mismatch' }));
      }
      if (error) {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ error, description: url.searchParams.get('error_description') }),
        );
      }
      try {
        const { result } = await gh.api.sso.exchange.mutate({
          orgId: opts.orgId,
          code: url.searchParams.get('code') ?? '',
        });
        const canWriteFlows = await gh.can({
          orgId: opts.orgId,
          subject: result.member.userId,
          permission: 'flows.write',
          scope: opts.workspaceId,
        });
        const body: AdopterSession = {
          userId: result.member.userId,
          email: result.profile.email,
          sessionToken: result.session.token,
          canWriteFlows,
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(body));
      } catch (e) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: (e as Error).message }));
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  callbackUrl = `${url}/callback`;
  return {
    url,
    callbackUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

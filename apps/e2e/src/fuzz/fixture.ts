/**
 * What the fuzz suite runs against: two orgs (the second one's ids are "ids of another org"),
 * their keys, a user session, a SCIM token and a few provisioned users and groups, and the pool
 * of real ids the generators draw from. Fixture credentials are kept out of the pool, so the
 * fuzz does not revoke the keys it fuzzes with.
 */
import { ENTERPRISE_URN, USER_URN } from '@gatehouse/scim';
import {
  createOrgFixture,
  email,
  type OrgFixture,
  sessionOf,
  type TestServer,
} from '../harness.js';
import { signingKey } from '../sso/saml-idp.js';
import type { IdPool } from './zod-arbitrary.js';

/** Credentials a fuzzed request may carry (undefined: none). */
export interface FuzzKeys {
  readonly admin: string;
  readonly clientA: string;
  readonly clientB: string;
  readonly session: string;
  /** An org A client with no role at all. */
  readonly weak: string;
  readonly scimA: string;
}

/** Everything the generators need. */
export interface FuzzWorld {
  readonly keys: FuzzKeys;
  readonly orgA: OrgFixture;
  readonly orgB: OrgFixture;
  readonly pool: IdPool;
  readonly scimUsers: readonly string[];
  readonly scimGroups: readonly string[];
  /** SSO connections of org A (no redirect URI allowed: no sign-in can start). */
  readonly ssoConnections: readonly string[];
}

const PASSWORD = 'correct horse battery staple';

/** Builds the world through the API and SCIM, as a client would. */
export async function buildWorld(t: TestServer): Promise<FuzzWorld> {
  const orgA = await createOrgFixture(t, {
    name: 'Fuzz A',
    preset: 'flowcode',
    clientRole: 'org_admin',
  });
  const orgB = await createOrgFixture(t, {
    name: 'Fuzz B',
    preset: 'flowcode',
    clientRole: 'org_admin',
  });
  const ids: Record<string, string[]> = { org: [orgA.orgId, orgB.orgId] };
  const add = (id: string) => {
    const prefix = id.slice(0, id.indexOf('_'));
    ids[prefix] = [...(ids[prefix] ?? []), id];
  };
  for (const o of [orgA, orgB]) {
    add(o.ownerUserId);
    const ws = await o.gh.api.scopes.create.mutate({
      orgId: o.orgId,
      kind: 'workspace',
      name: 'Fuzz WS',
    });
    add(ws.result.id);
    const grp = await o.gh.api.groups.create.mutate({ orgId: o.orgId, name: 'Fuzz group' });
    add(grp.result.id);
    const victim = await o.gh.api.apiClients.create.mutate({
      orgId: o.orgId,
      name: 'victim',
      roles: [],
    });
    add(victim.result.client.id);
    const m = await o.gh.api.members.add.mutate({
      orgId: o.orgId,
      email: email('fuzz-member'),
      roles: [{ role: 'workspace_editor', scopeId: ws.result.id }],
    });
    add(m.result.userId);
    const inv = await o.gh.api.invitations.invite.mutate({
      orgId: o.orgId,
      email: email('fuzz-invitee'),
    });
    add(inv.result.id);
    const asg = await o.gh.api.assignments.list.query({ orgId: o.orgId });
    for (const a of asg.items.slice(0, 3)) add(a.id);
    const tok = await o.gh.api.scimTokens.create.mutate({ orgId: o.orgId, name: 'victim' });
    add(tok.result.scimToken.id);
    const dom = await o.gh.api.domains.claim.mutate({
      orgId: o.orgId,
      domain: `${o.orgId.replace('_', '-')}.fuzz.test`,
    });
    add(dom.result.domain.id);
  }
  // A person with a password and a session in org A (a low-rights caller).
  const address = email('fuzz-person');
  await orgA.gh.api.invitations.invite.mutate({ orgId: orgA.orgId, email: address });
  // The link is not at rest anywhere: the log-only delivery writes it to the server's log.
  const token = /token=([A-Za-z0-9_-]+)/.exec(await t.emailTo(address))![1]!;
  const anon = t.connect('');
  const accepted = await anon.api.invitations.accept.mutate({
    token,
    name: 'Person',
    password: PASSWORD,
  });
  add(accepted.result.userId);
  const login = await anon.api.sessions.login.mutate({
    email: address,
    password: PASSWORD,
    orgId: orgA.orgId,
  });
  const scim = await orgA.gh.api.scimTokens.create.mutate({ orgId: orgA.orgId, name: 'fuzz' });
  const weak = await orgA.gh.api.apiClients.create.mutate({
    orgId: orgA.orgId,
    name: 'weak',
    roles: [],
  });
  // SCIM users and a group, provisioned as an identity provider would.
  const scimUsers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${t.url}/scim/v2/Users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${scim.result.token}`,
        'content-type': 'application/scim+json',
      },
      body: JSON.stringify({
        schemas: [USER_URN, ENTERPRISE_URN],
        userName: email(`scim${i}`),
        name: { givenName: 'S', familyName: `${i}` },
        active: true,
      }),
    });
    const body = (await res.json()) as { id: string };
    scimUsers.push(body.id);
    add(body.id);
  }
  const g = await fetch(`${t.url}/scim/v2/Groups`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${scim.result.token}`,
      'content-type': 'application/scim+json',
    },
    body: JSON.stringify({
      displayName: 'SCIM fuzz',
      members: scimUsers.map((value) => ({ value })),
    }),
  });
  const group = (await g.json()) as { id: string };
  add(group.id);
  // Issue 13: an SSO connection, so the fuzzed sso.* procedures and /sso routes meet a real one.
  const sso = await orgA.gh.api.sso.createConnection.mutate({
    orgId: orgA.orgId,
    name: 'fuzz IdP',
    issuer: 'https://idp.fuzz.test',
    clientId: 'fuzz',
    clientSecret: 'fuzz-client-secret',
    // Nothing answers at this issuer: saved anyway, with a warning.
    ignoreIssuerErrors: true,
  });
  add(sso.result.id);
  // And a SAML one (no redirect URI, IdP-initiated on), so the ACS and metadata routes meet one.
  const { cert } = await signingKey('fuzz IdP');
  const saml = await orgA.gh.api.sso.createConnection.mutate({
    protocol: 'saml',
    orgId: orgA.orgId,
    name: 'fuzz SAML IdP',
    idpEntityId: 'https://idp.fuzz.test/saml',
    idpSsoUrl: 'https://idp.fuzz.test/saml/sso',
    idpCertificates: [cert],
    allowIdpInitiated: true,
  });
  add(saml.result.id);
  return {
    keys: {
      admin: t.adminKey,
      clientA: orgA.clientKey,
      clientB: orgB.clientKey,
      session: sessionOf(login.result).token,
      weak: weak.result.key,
      scimA: scim.result.token,
    },
    orgA,
    orgB,
    pool: ids,
    scimUsers,
    scimGroups: [group.id],
    ssoConnections: [sso.result.id, saml.result.id],
  };
}

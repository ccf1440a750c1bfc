/**
 * `gatehouse sso …` (issue 13): an org's OIDC and SAML connections, their group mappings and the org's
 * redirect allowlist, through the API with the CLI's key. The client secret is read from
 * `GATEHOUSE_SSO_CLIENT_SECRET` (or `--client-secret`, which other users of the machine may see
 * in the process list) and is never printed back. A SAML connection's IdP side comes from its
 * metadata file (`--metadata-file`), its metadata URL (`--metadata-url`, fetched by the server
 * now and again on `sso refresh-metadata` and the background refresh) or from `--idp-entity-id`,
 * `--idp-sso-url` and `--idp-cert-file` (repeatable: several certificates during a rotation).
 */
import { readFileSync } from 'node:fs';
import type { createGatehouse } from '@gatehouse/sdk';

/** The lines `gatehouse --help` shows for SSO. */
export const SSO_USAGE = `  sso connection create --org ORG --name NAME --issuer URL --client-id ID
      [--scopes a,b] [--groups-claim CLAIM] [--default-role ROLE] [--default-scope SCOPE] [--disabled]
      [--ignore-issuer-errors]
      (client secret from GATEHOUSE_SSO_CLIENT_SECRET or --client-secret; never shown again;
       the issuer's discovery document must be readable, unless --ignore-issuer-errors)
  sso connection create --protocol saml --org ORG --name NAME --metadata-file FILE|--metadata-url URL
      [--idp-entity-id ID --idp-sso-url URL --idp-cert-file PEM ...] [--sp-entity-id ID]
      [--allow-idp-initiated] [--want-encrypted --sp-key-file PEM --sp-cert-file PEM]
      [--groups-claim ATTRIBUTE] [--default-role ROLE] [--default-scope SCOPE] [--disabled]
  sso connection update --protocol saml --org ORG --connection SSOC_ID [--metadata-file ...]
      [--metadata-url URL | --no-metadata-url]
  sso refresh-metadata SSOC_ID --org ORG
      (a SAML connection reads its metadata URL again: a rotated certificate is picked up)
  sso connection list --org ORG
  sso connection show|enable|disable|delete|test --org ORG --connection SSOC_ID
  sso connection update --org ORG --connection SSOC_ID [--name --issuer --client-id --scopes ...]
  sso mapping set --org ORG --connection SSOC_ID --idp-group NAME [--group GRP_ID]
  sso mapping remove --org ORG --connection SSOC_ID --idp-group NAME
  sso redirect-uris set --org ORG --uri URL [--uri URL ...]
  sso redirect-uris list --org ORG`;

/** The options `sso` commands read (merged into the CLI's `parseArgs`). */
export const SSO_OPTIONS = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  scopes: { type: 'string' },
  'groups-claim': { type: 'string' },
  'default-role': { type: 'string' },
  'default-scope': { type: 'string' },
  disabled: { type: 'boolean' },
  'ignore-issuer-errors': { type: 'boolean' },
  connection: { type: 'string' },
  'idp-group': { type: 'string' },
  group: { type: 'string' },
  uri: { type: 'string', multiple: true },
  protocol: { type: 'string' },
  'metadata-file': { type: 'string' },
  'metadata-url': { type: 'string' },
  'no-metadata-url': { type: 'boolean' },
  'idp-entity-id': { type: 'string' },
  'idp-sso-url': { type: 'string' },
  'idp-cert-file': { type: 'string', multiple: true },
  'sp-entity-id': { type: 'string' },
  'allow-idp-initiated': { type: 'boolean' },
  'want-encrypted': { type: 'boolean' },
  'sp-key-file': { type: 'string' },
  'sp-cert-file': { type: 'string' },
} as const;

type Api = ReturnType<typeof createGatehouse>['api'];
type Values = Record<string, string | boolean | string[] | undefined>;

/** What an `sso` command needs from the CLI around it. */
export interface SsoCli {
  readonly api: () => Api;
  readonly values: Values;
  /** The word after the command (`sso refresh-metadata SSOC_ID`), if any. */
  readonly arg?: string | undefined;
  /** The server's base URL (for the test link). */
  readonly baseUrl: string;
  need(name: string): string;
  print(human: string, data: unknown): void;
  fail(message: string): never;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

type ConnectionLike = {
  id: string;
  name: string;
  enabled: boolean;
  defaultRole: string | null;
  groupMappings: ReadonlyArray<{ idpGroup: string; groupId: string }>;
} & (
  | { protocol: 'oidc'; issuer: string; clientId: string; scopes: readonly string[] }
  | {
      protocol: 'saml';
      idpEntityId: string;
      spEntityId: string;
      acsUrl: string;
      metadataUrl: string;
      allowIdpInitiated: boolean;
      idpCertificates: ReadonlyArray<{ fingerprint: string; notAfter: string }>;
      idpMetadata?: {
        url: string;
        refreshedAt: string | null;
        checkedAt: string | null;
        error: string | null;
      } | null;
    }
);

/** Where a SAML connection's IdP metadata comes from, and how its last fetch went. */
function metadataLine(
  m: NonNullable<Extract<ConnectionLike, { protocol: 'saml' }>['idpMetadata']>,
) {
  const last = m.error
    ? `last fetch failed at ${m.checkedAt}: ${m.error}`
    : `refreshed ${m.refreshedAt ?? 'never'}`;
  return `\n  IdP metadata ${m.url} (${last})`;
}

/** One connection, for people. */
export function formatConnection(c: ConnectionLike): string {
  const maps = c.groupMappings.map((m) => `\n    ${m.idpGroup} -> ${m.groupId}`).join('');
  const how =
    c.protocol === 'saml'
      ? `SAML idp ${c.idpEntityId}  sp ${c.spEntityId}${c.allowIdpInitiated ? '  IdP-initiated allowed' : ''}\n  ACS ${c.acsUrl}\n  SP metadata ${c.metadataUrl}${c.idpMetadata ? metadataLine(c.idpMetadata) : ''}${c.idpCertificates.map((x) => `\n  IdP certificate ${x.fingerprint} (until ${x.notAfter})`).join('')}`
      : `issuer ${c.issuer}  client ${c.clientId}  scopes ${c.scopes.join(' ')}`;
  return `${c.id}  ${c.enabled ? 'enabled ' : 'disabled'}  ${c.name}  ${how}  default role ${c.defaultRole ?? '(preset default)'}${maps ? `\n  group mappings:${maps}` : ''}`;
}

/** SAML settings given on the command line (files read here; absent: not given). */
function samlSettings(cli: SsoCli) {
  const v = cli.values;
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      return cli.fail(`cannot read ${f}: ${(e as Error).message}`);
    }
  };
  const certFiles = (v['idp-cert-file'] as string[] | undefined) ?? [];
  return {
    ...(str(v['metadata-file']) && { metadataXml: read(str(v['metadata-file'])!) }),
    ...(str(v['metadata-url']) && { metadataUrl: str(v['metadata-url'])! }),
    ...(str(v['idp-entity-id']) && { idpEntityId: str(v['idp-entity-id'])! }),
    ...(str(v['idp-sso-url']) && { idpSsoUrl: str(v['idp-sso-url'])! }),
    ...(certFiles.length > 0 && { idpCertificates: certFiles.map(read) }),
    ...(str(v['sp-entity-id']) && { spEntityId: str(v['sp-entity-id'])! }),
    ...(v['allow-idp-initiated'] !== undefined && {
      allowIdpInitiated: v['allow-idp-initiated'] === true,
    }),
    ...(v['want-encrypted'] !== undefined && {
      wantEncryptedAssertions: v['want-encrypted'] === true,
    }),
    ...(str(v['sp-key-file']) && { spPrivateKey: read(str(v['sp-key-file'])!) }),
    ...(str(v['sp-cert-file']) && { spCertificate: read(str(v['sp-cert-file'])!) }),
  };
}

const isSaml = (cli: SsoCli) => {
  const p = str(cli.values.protocol) ?? 'oidc';
  if (p !== 'oidc' && p !== 'saml') cli.fail('--protocol is oidc or saml');
  return p === 'saml';
};

/** Settings given on the command line (absent: not given). */
function settings(cli: SsoCli) {
  const v = cli.values;
  const scopes = str(v.scopes)
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const groups = str(v['groups-claim']);
  return {
    ...(str(v.name) && { name: str(v.name)! }),
    ...(str(v.issuer) && { issuer: str(v.issuer)! }),
    ...(str(v['client-id']) && { clientId: str(v['client-id'])! }),
    ...(scopes && { scopes }),
    ...(groups && { claims: { groups: groups === 'none' ? null : groups } }),
    ...(str(v['default-role']) && { defaultRole: str(v['default-role'])! }),
    ...(str(v['default-scope']) && { defaultScopeId: str(v['default-scope'])! }),
    ...(v['ignore-issuer-errors'] === true && { ignoreIssuerErrors: true }),
  };
}

/** What the issuer check warned of, as lines after the connection. */
const warningLines = (warnings: readonly string[]) =>
  warnings.map((w) => `\nwarning: ${w}`).join('');

const secretOf = (cli: SsoCli) =>
  str(process.env.GATEHOUSE_SSO_CLIENT_SECRET) ?? str(cli.values['client-secret']);

/** Runs `sso …`; `cmd` is the command's words (`sso connection create`). */
export async function ssoCommand(cmd: string, cli: SsoCli): Promise<void> {
  const orgId = () => cli.need('org');
  const connectionId = () => cli.need('connection');
  const api = cli.api;
  switch (cmd) {
    case 'sso connection create': {
      if (isSaml(cli)) {
        const {
          issuer: _i,
          clientId: _c,
          scopes: _s,
          ignoreIssuerErrors: _x,
          ...common
        } = settings(cli);
        const { result, revision } = await api().sso.createConnection.mutate({
          protocol: 'saml',
          orgId: orgId(),
          name: cli.need('name'),
          ...common,
          ...samlSettings(cli),
          enabled: cli.values.disabled !== true,
        });
        return cli.print(`created ${formatConnection(result)}`, { ...result, revision });
      }
      const clientSecret = secretOf(cli);
      if (!clientSecret) cli.fail('set GATEHOUSE_SSO_CLIENT_SECRET (or --client-secret)');
      const { result, revision, warnings } = await api().sso.createConnection.mutate({
        orgId: orgId(),
        name: cli.need('name'),
        issuer: cli.need('issuer'),
        clientId: cli.need('client-id'),
        clientSecret,
        ...settings(cli),
        enabled: cli.values.disabled !== true,
      });
      return cli.print(`created ${formatConnection(result)}${warningLines(warnings)}`, {
        ...result,
        revision,
        warnings,
      });
    }
    case 'sso connection update': {
      if (isSaml(cli)) {
        const {
          issuer: _i,
          clientId: _c,
          scopes: _s,
          ignoreIssuerErrors: _x,
          ...common
        } = settings(cli);
        const { result, revision } = await api().sso.updateConnection.mutate({
          protocol: 'saml',
          orgId: orgId(),
          connectionId: connectionId(),
          ...common,
          ...samlSettings(cli),
          ...(cli.values['no-metadata-url'] === true && { metadataUrl: null }),
        });
        return cli.print(`updated ${formatConnection(result)}`, { ...result, revision });
      }
      const clientSecret = secretOf(cli);
      const { result, revision, warnings } = await api().sso.updateConnection.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
        ...settings(cli),
        ...(clientSecret && { clientSecret }),
      });
      return cli.print(`updated ${formatConnection(result)}${warningLines(warnings)}`, {
        ...result,
        revision,
        warnings,
      });
    }
    case 'sso connection enable':
    case 'sso connection disable': {
      const cur = await api().sso.getConnection.query({
        orgId: orgId(),
        connectionId: connectionId(),
      });
      const { result, revision } = await api().sso.updateConnection.mutate({
        protocol: cur.protocol,
        orgId: orgId(),
        connectionId: connectionId(),
        enabled: cmd.endsWith('enable'),
      });
      return cli.print(formatConnection(result), { ...result, revision });
    }
    case 'sso connection list': {
      const items = await api().sso.listConnections.query({ orgId: orgId() });
      return cli.print(items.map(formatConnection).join('\n') || '(no SSO connections)', items);
    }
    case 'sso connection show': {
      const c = await api().sso.getConnection.query({
        orgId: orgId(),
        connectionId: connectionId(),
      });
      return cli.print(formatConnection(c), c);
    }
    case 'sso connection delete': {
      const { result, revision } = await api().sso.deleteConnection.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
      });
      return cli.print(`deleted ${result.connectionId}`, { ...result, revision });
    }
    case 'sso connection test': {
      const t = await api().sso.testConnection.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
      });
      const url = `${cli.baseUrl}/sso/test?ticket=${encodeURIComponent(t.ticket)}`;
      return cli.print(
        `open this link in a browser and sign in at the IdP (until ${t.expiresAt}); nothing is changed:\n${url}`,
        { ...t, url },
      );
    }
    case 'sso refresh-metadata': {
      const id = cli.arg ?? str(cli.values.connection);
      if (!id)
        cli.fail(
          'sso refresh-metadata needs the connection: sso refresh-metadata SSOC_ID --org ORG',
        );
      const { result, revision } = await api().sso.refreshSamlMetadata.mutate({
        orgId: orgId(),
        connectionId: id,
      });
      const what =
        result.changed.length > 0 ? `changed: ${result.changed.join(', ')}` : 'unchanged';
      return cli.print(`refreshed (${what}) ${formatConnection(result.connection)}`, {
        ...result,
        revision,
      });
    }
    case 'sso mapping set': {
      const { result, revision } = await api().sso.setGroupMapping.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
        idpGroup: cli.need('idp-group'),
        ...(str(cli.values.group) && { groupId: str(cli.values.group)! }),
      });
      return cli.print(
        `IdP group "${result.idpGroup}" -> ${result.groupId}${result.createdGroup ? ' (new group)' : ''}`,
        { ...result, revision },
      );
    }
    case 'sso mapping remove': {
      const { result, revision } = await api().sso.removeGroupMapping.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
        idpGroup: cli.need('idp-group'),
      });
      return cli.print('removed', { ...result, revision });
    }
    case 'sso redirect-uris set': {
      const uris = (cli.values.uri as string[] | undefined) ?? [];
      const { result, revision } = await api().sso.setRedirectUris.mutate({ orgId: orgId(), uris });
      return cli.print(result.join('\n') || '(no redirect URIs)', { uris: result, revision });
    }
    case 'sso redirect-uris list': {
      const uris = await api().sso.listRedirectUris.query({ orgId: orgId() });
      return cli.print(uris.join('\n') || '(no redirect URIs)', { uris });
    }
    default:
      cli.fail(`unknown command "${cmd}"`);
  }
}

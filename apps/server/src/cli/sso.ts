/**
 * `gatehouse sso …` (issue 13): an org's OIDC connections, their group mappings and the org's
 * redirect allowlist, through the API with the CLI's key. The client secret is read from
 * `GATEHOUSE_SSO_CLIENT_SECRET` (or `--client-secret`, which other users of the machine may see
 * in the process list) and is never printed back.
 */
import type { createGatehouse } from '@gatehouse/sdk';

/** The lines `gatehouse --help` shows for SSO. */
export const SSO_USAGE = `  sso connection create --org ORG --name NAME --issuer URL --client-id ID
      [--scopes a,b] [--groups-claim CLAIM] [--default-role ROLE] [--default-scope SCOPE] [--disabled]
      (client secret from GATEHOUSE_SSO_CLIENT_SECRET or --client-secret; never shown again)
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
  connection: { type: 'string' },
  'idp-group': { type: 'string' },
  group: { type: 'string' },
  uri: { type: 'string', multiple: true },
} as const;

type Api = ReturnType<typeof createGatehouse>['api'];
type Values = Record<string, string | boolean | string[] | undefined>;

/** What an `sso` command needs from the CLI around it. */
export interface SsoCli {
  readonly api: () => Api;
  readonly values: Values;
  /** The server's base URL (for the test link). */
  readonly baseUrl: string;
  need(name: string): string;
  print(human: string, data: unknown): void;
  fail(message: string): never;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

interface ConnectionLike {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  enabled: boolean;
  scopes: readonly string[];
  defaultRole: string | null;
  groupMappings: ReadonlyArray<{ idpGroup: string; groupId: string }>;
}

/** One connection, for people. */
export function formatConnection(c: ConnectionLike): string {
  const maps = c.groupMappings.map((m) => `\n    ${m.idpGroup} -> ${m.groupId}`).join('');
  return `${c.id}  ${c.enabled ? 'enabled ' : 'disabled'}  ${c.name}  issuer ${c.issuer}  client ${c.clientId}  scopes ${c.scopes.join(' ')}  default role ${c.defaultRole ?? '(preset default)'}${maps ? `\n  group mappings:${maps}` : ''}`;
}

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
  };
}

const secretOf = (cli: SsoCli) =>
  str(process.env.GATEHOUSE_SSO_CLIENT_SECRET) ?? str(cli.values['client-secret']);

/** Runs `sso …`; `cmd` is the command's words (`sso connection create`). */
export async function ssoCommand(cmd: string, cli: SsoCli): Promise<void> {
  const orgId = () => cli.need('org');
  const connectionId = () => cli.need('connection');
  const api = cli.api;
  switch (cmd) {
    case 'sso connection create': {
      const clientSecret = secretOf(cli);
      if (!clientSecret) cli.fail('set GATEHOUSE_SSO_CLIENT_SECRET (or --client-secret)');
      const { result, revision } = await api().sso.createConnection.mutate({
        orgId: orgId(),
        name: cli.need('name'),
        issuer: cli.need('issuer'),
        clientId: cli.need('client-id'),
        clientSecret,
        ...settings(cli),
        enabled: cli.values.disabled !== true,
      });
      return cli.print(`created ${formatConnection(result)}`, { ...result, revision });
    }
    case 'sso connection update': {
      const clientSecret = secretOf(cli);
      const { result, revision } = await api().sso.updateConnection.mutate({
        orgId: orgId(),
        connectionId: connectionId(),
        ...settings(cli),
        ...(clientSecret && { clientSecret }),
      });
      return cli.print(`updated ${formatConnection(result)}`, { ...result, revision });
    }
    case 'sso connection enable':
    case 'sso connection disable': {
      const { result, revision } = await api().sso.updateConnection.mutate({
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

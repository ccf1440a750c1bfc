/** The API's root router; its type is all the SDK imports from this app. */
import { accountsRouter } from './routers/accounts.js';
import { apiClientsRouter } from './routers/api-clients.js';
import { assignmentsRouter } from './routers/assignments.js';
import { auditRouter } from './routers/audit.js';
import { authzRouter } from './routers/authz.js';
import { domainsRouter } from './routers/domains.js';
import { groupsRouter } from './routers/groups.js';
import { invitationsRouter } from './routers/invitations.js';
import { membersRouter } from './routers/members.js';
import { orgsRouter } from './routers/orgs.js';
import { presetsRouter } from './routers/presets.js';
import { rolesRouter } from './routers/roles.js';
import { scimTokensRouter } from './routers/scim-tokens.js';
import { scopesRouter } from './routers/scopes.js';
import { sessionsRouter } from './routers/sessions.js';
import { ssoRouter } from './routers/sso.js';
import { publicProcedure, router } from './trpc.js';

/** Every procedure Gatehouse serves at `/trpc`. */
export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true as const })),
  orgs: router(orgsRouter),
  presets: router(presetsRouter),
  scopes: router(scopesRouter),
  members: router(membersRouter),
  invitations: router(invitationsRouter),
  roles: router(rolesRouter),
  assignments: router(assignmentsRouter),
  groups: router(groupsRouter),
  apiClients: router(apiClientsRouter),
  authz: router(authzRouter),
  audit: router(auditRouter),
  scimTokens: router(scimTokensRouter),
  sessions: router(sessionsRouter),
  domains: router(domainsRouter),
  sso: router(ssoRouter),
  accounts: router(accountsRouter),
});

/** The router's type, for typed clients. */
export type AppRouter = typeof appRouter;

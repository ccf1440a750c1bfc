/**
 * R2 end to end: each of the five seed products is set up through the API exactly as its
 * document describes (org with that preset, an owner-equivalent API client, the seed's scopes,
 * members, add-ons, groups and environment-limited grants), then the seed's table is checked
 * through the API with one `authz.checkMany` call per table at the last write's revision.
 *
 * Each table row maps to the permissions that express it, derived from the preset files in
 * `packages/core/src/presets/`; a ✅ cell must hold every one of them, a ❌ cell none.
 */
import { idvCapabilities, idwiseFeatures } from '@gatehouse/core';
import {
  flowcodeOrgSeedTable,
  flowcodeWorkspaceSeedTable,
  idnowSeedTable,
} from '@gatehouse/core/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Cell,
  createOrgFixture,
  email,
  expectCells,
  failure,
  type OrgFixture,
  startTestServer,
  type TestServer,
} from './harness.js';

type Mark = '✅' | '❌';
const yes = (m: Mark) => m === '✅';

describe.each(backends)('presets end to end on $name', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  // -------------------------------------------------------------------------------------------
  describe('seed 000 (IDnow): Editor / Developer / Viewer', () => {
    type Role = 'editor' | 'developer' | 'viewer';
    /** Seed 000 "Quick reference of team role permissions" (12 × 3 = 36 cells), shared with core. */
    const table = idnowSeedTable;
    let fx: OrgFixture;
    const users = {} as Record<Role | 'newcomer', string>;

    beforeAll(async () => {
      fx = await createOrgFixture(t, {
        name: 'IDnow customer',
        preset: 'idnow',
        clientRole: 'editor',
      });
      const { gh, orgId, revisions } = fx;
      users.editor = fx.ownerUserId;
      for (const role of ['developer', 'viewer'] as const) {
        users[role] = revisions.note(
          await gh.api.members.add.mutate({ orgId, email: email(role), roles: [{ role }] }),
        ).userId;
      }
      // M1: invited with no role named.
      users.newcomer = revisions.note(
        await gh.api.members.add.mutate({ orgId, email: email('newcomer') }),
      ).userId;
    });

    it('R2 C2 C6 seed 000: all 36 cells of the permission table, in one checkMany call', async () => {
      const cells: Cell[] = table.flatMap((row) =>
        (['editor', 'developer', 'viewer'] as const).map((role) => ({
          label: `${role} — ${row.action}`,
          subject: users[role],
          scope: fx.orgId,
          permissions: row.permissions,
          expected: yes(row[role]),
        })),
      );
      expect(cells).toHaveLength(36);
      await expectCells(fx.gh, fx.orgId, fx.revisions.latest, cells);
    });

    it('M1 R2 seed 000: a member invited with no role is a Viewer, cell for cell', async () => {
      const cells: Cell[] = table.map((row) => ({
        label: `newcomer — ${row.action}`,
        subject: users.newcomer,
        scope: fx.orgId,
        permissions: row.permissions,
        expected: yes(row.viewer),
      }));
      await expectCells(fx.gh, fx.orgId, fx.revisions.latest, cells);
      const member = (await fx.gh.api.members.list.query({ orgId: fx.orgId })).items.find(
        (m) => m.userId === users.newcomer,
      );
      expect(member?.roles.map((r) => r.role)).toEqual(['viewer']);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('seed 001 (Flowcode): Organization Admin / User over Workspace Admin / Editor / Viewer', () => {
    /** Seed 001 §1, the Organization Admin console (checked at the organization), shared with core. */
    const orgTable = flowcodeOrgSeedTable;
    /** Seed 001 §2, the three workspace roles (checked in the workspace), shared with core. */
    const wsTable = flowcodeWorkspaceSeedTable;
    /** Seed 001 §3, the fine-grained add-ons. */
    const addOns = {
      flowsManager: ['flows.read', 'flows.write'],
      brandKitsManager: ['brandKits.manage'],
      audienceViewer: ['audience.read', 'audience.manage', 'audience.export'],
    };
    let fx: OrgFixture;
    let org: string;
    let marketing: string;
    let events: string;
    let eventsTeam: string;
    const u = {} as Record<
      'orgAdmin' | 'orgUser' | 'wsAdmin' | 'wsEditor' | 'wsViewer' | 'viewerPlus',
      string
    >;

    beforeAll(async () => {
      fx = await createOrgFixture(t, {
        name: 'Flowcode customer',
        preset: 'flowcode',
        clientRole: 'org_admin',
      });
      const { gh, orgId, revisions } = fx;
      org = orgId;
      u.orgAdmin = fx.ownerUserId;
      marketing = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'Marketing' }),
      ).id;
      events = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'Events' }),
      ).id;
      const add = async (who: string, wsRole?: string) =>
        revisions.note(
          await gh.api.members.add.mutate({
            orgId,
            email: email(who),
            roles: [
              { role: 'org_user' },
              ...(wsRole ? [{ role: wsRole, scopeId: marketing }] : []),
            ],
          }),
        ).userId;
      u.orgUser = await add('org-user');
      u.wsAdmin = await add('ws-admin', 'workspace_admin');
      u.wsEditor = await add('ws-editor', 'workspace_editor');
      u.wsViewer = await add('ws-viewer', 'workspace_viewer');
      u.viewerPlus = await add('ws-viewer-plus', 'workspace_viewer');
      // R4: add-ons on top of a Viewer's primary role, toggled by the org admin's client ...
      for (const role of ['flows_manager', 'brand_kits_manager']) {
        revisions.note(
          await gh.api.assignments.assign.mutate({
            orgId,
            subjectId: u.viewerPlus,
            role,
            scopeId: marketing,
          }),
        );
      }
      // ... and by the Workspace Admin (acting through the client) on the Editor.
      revisions.note(
        await gh.asUser(u.wsAdmin).api.assignments.assign.mutate({
          orgId,
          subjectId: u.wsEditor,
          role: 'audience_viewer',
          scopeId: marketing,
        }),
      );
      // G2: a team given the Viewer role in Events; the Organization User is on it.
      const team = revisions.note(
        await gh.api.groups.create.mutate({ orgId, name: 'Events team' }),
      );
      eventsTeam = team.id;
      revisions.note(
        await gh.api.groups.addMembers.mutate({ orgId, groupId: team.id, memberIds: [u.orgUser] }),
      );
      revisions.note(
        await gh.api.assignments.assign.mutate({
          orgId,
          subjectId: team.id,
          role: 'workspace_viewer',
          scopeId: events,
        }),
      );
    });

    it('R2 seed 001: Organization Admin vs Organization User, every console section', async () => {
      const cells: Cell[] = orgTable.flatMap((row) =>
        (['admin', 'user'] as const).map((role) => ({
          label: `Organization ${role} — ${row.section}`,
          subject: role === 'admin' ? u.orgAdmin : u.orgUser,
          scope: org,
          permissions: row.permissions,
          expected: yes(row[role]),
        })),
      );
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
    });

    it('R2 T3 seed 001: Workspace Admin / Editor / Viewer in their workspace, and nothing of it next door', async () => {
      const subject = { admin: u.wsAdmin, editor: u.wsEditor, viewer: u.wsViewer };
      const cells: Cell[] = wsTable.flatMap((row) =>
        (['admin', 'editor', 'viewer'] as const).flatMap((role) => [
          {
            label: `Workspace ${role} — ${row.capability} in Marketing`,
            subject: subject[role],
            scope: marketing,
            permissions: row.permissions,
            expected: yes(row[role]),
          },
          {
            label: `Workspace ${role} of Marketing — ${row.capability} in Events`,
            subject: subject[role],
            scope: events,
            permissions: row.permissions,
            expected: false,
          },
        ]),
      );
      // The Organization Admin holds every one of them in every workspace (inherited).
      for (const scope of [marketing, events]) {
        cells.push({
          label: 'Organization Admin — every workspace capability',
          subject: u.orgAdmin,
          scope,
          permissions: wsTable.flatMap((r) => r.permissions),
          expected: true,
        });
      }
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
    });

    it('R4 G2 seed 001: add-ons stack on the primary role in their workspace only; a team passes its role on', async () => {
      const cells: Cell[] = [
        {
          label: 'Viewer + Flows Manager',
          subject: u.viewerPlus,
          scope: marketing,
          permissions: addOns.flowsManager,
          expected: true,
        },
        {
          label: 'Viewer + Brand Kits Manager',
          subject: u.viewerPlus,
          scope: marketing,
          permissions: addOns.brandKitsManager,
          expected: true,
        },
        {
          label: 'Viewer without Audience Viewer',
          subject: u.viewerPlus,
          scope: marketing,
          permissions: addOns.audienceViewer,
          expected: false,
        },
        {
          label: 'Viewer add-ons do not reach Events',
          subject: u.viewerPlus,
          scope: events,
          permissions: ['flows.write', 'brandKits.manage'],
          expected: false,
        },
        {
          label: 'Editor + Audience Viewer (given by the Workspace Admin)',
          subject: u.wsEditor,
          scope: marketing,
          permissions: addOns.audienceViewer,
          expected: true,
        },
        {
          label: 'Editor without Brand Kits Manager',
          subject: u.wsEditor,
          scope: marketing,
          permissions: addOns.brandKitsManager,
          expected: false,
        },
        {
          label: 'Organization User through the Events team',
          subject: u.orgUser,
          scope: events,
          permissions: ['scopes.read', 'flows.read', 'flows.download', 'analytics.read'],
          expected: true,
        },
        {
          label: 'plain Viewer has no add-on',
          subject: u.wsViewer,
          scope: marketing,
          permissions: ['flows.write', 'brandKits.manage'],
          expected: false,
        },
        {
          label: 'Organization User has no write in Events',
          subject: u.orgUser,
          scope: events,
          permissions: ['flows.write'],
          expected: false,
        },
      ];
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
      const viewerRoles = (
        await fx.gh.api.assignments.list.query({
          orgId: org,
          subjectId: u.viewerPlus,
          scopeId: marketing,
        })
      ).items.map((a) => a.role);
      expect(viewerRoles.sort()).toEqual([
        'brand_kits_manager',
        'flows_manager',
        'workspace_viewer',
      ]);
    });

    it('C3 G2 T3 seed 001: explain names the team and the inherited org role behind a grant', async () => {
      const explain = async (subject: string, permission: string, scope: string) =>
        (
          await fx.gh.api.authz.explain.query({
            orgId: org,
            subject,
            permission,
            scope,
            minRevision: fx.revisions.latest,
          })
        ).result;
      const viaTeam = await explain(u.orgUser, 'flows.download', events);
      expect(viaTeam).toMatchObject({ allowed: true });
      expect(viaTeam.grants).toEqual([
        expect.objectContaining({
          roleKey: 'workspace_viewer',
          scopeId: events,
          viaGroup: eventsTeam,
          inherited: false,
        }),
      ]);
      const inherited = await explain(u.orgAdmin, 'flows.write', events);
      expect(inherited.grants).toEqual([
        expect.objectContaining({
          roleKey: 'org_admin',
          scopeId: org,
          inherited: true,
          viaGroup: null,
        }),
      ]);
      const denied = await explain(u.wsViewer, 'flows.write', marketing);
      expect(denied).toMatchObject({ allowed: false, code: 'no_grant', grants: [] });
      expect(denied.holds.map((h) => h.roleKey).sort()).toEqual(['org_user', 'workspace_viewer']);
    });

    it('T4 C5 seed 001: an Organization User sees only their workspaces; the Admin sees all', async () => {
      const seen = async (subject: string) =>
        (
          await fx.gh.api.authz.listScopes.query({
            orgId: org,
            subject,
            permission: 'scopes.read',
            minRevision: fx.revisions.latest,
          })
        ).result.items.map((s) => s.id);
      expect(await seen(u.wsEditor)).toEqual([marketing]);
      expect(await seen(u.orgUser)).toEqual([events]);
      expect(await seen(u.orgAdmin)).toEqual([org, marketing, events].sort());
      // The same through the scopes list, for the Workspace Editor acting through the client.
      const listed = await fx.gh.asUser(u.wsEditor).api.scopes.list.query({ orgId: org });
      expect(listed.items.map((s) => s.id)).toEqual([marketing]);
    });

    it('T2 seed 001: the Workspace Admin "Settings: Edit workspace details like the name, description, and avatar"', async () => {
      const avatarUrl = 'https://cdn.flowcode.test/marketing.png';
      const details = { name: 'Marketing & Brand', description: 'Campaign QR codes', avatarUrl };
      const edit = (as: string) =>
        fx.gh.asUser(as).api.scopes.update.mutate({ orgId: org, scopeId: marketing, ...details });
      // Only the Workspace Admin has the Settings section; an Editor cannot edit the workspace.
      expect(await failure(edit(u.wsEditor))).toMatchObject({ code: 'FORBIDDEN' });
      const result = fx.revisions.note(await edit(u.wsAdmin));
      expect(result).toMatchObject({ id: marketing, ...details });
      const listed = await fx.gh.asUser(u.wsAdmin).api.scopes.list.query({ orgId: org });
      expect(listed.items.find((s) => s.id === marketing)).toMatchObject(details);
      const audit = await fx.gh.api.audit.list.query({ orgId: org, entityId: marketing });
      expect(audit.items[0]).toMatchObject({
        action: 'Updated',
        onBehalfOf: u.wsAdmin,
        before: { name: 'Marketing', avatarUrl: null },
        after: details,
      });
      // Created with an avatar, like a group; a picture that is not a URL is refused.
      const events2 = fx.revisions.note(
        await fx.gh.api.scopes.create.mutate({
          orgId: org,
          kind: 'workspace',
          name: 'Events 2026',
          avatarUrl,
        }),
      );
      expect(events2.avatarUrl).toBe(avatarUrl);
      expect(
        await failure(
          fx.gh.api.scopes.update.mutate({ orgId: org, scopeId: events2.id, avatarUrl: 'qr.png' }),
        ),
      ).toMatchObject({ code: 'BAD_REQUEST' });
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('seed 002 (IDV console): five roles over four capabilities, at org or subtenant level', () => {
    type Role = 'admin' | 'service_manager' | 'manager' | 'auditor' | 'default';
    const roles: readonly Role[] = ['admin', 'service_manager', 'manager', 'auditor', 'default'];
    /** Seed 002's table: rows are roles, columns the four capabilities (5 × 4 = 20 cells). */
    const table: Record<Role, Record<keyof typeof idvCapabilities, Mark>> = {
      admin: {
        configChanges: '✅',
        userManagement: '✅',
        viewServicesAndWorkflows: '✅',
        viewTransactionsAndReports: '✅',
      },
      service_manager: {
        configChanges: '✅',
        userManagement: '❌',
        viewServicesAndWorkflows: '✅',
        viewTransactionsAndReports: '✅',
      },
      manager: {
        configChanges: '❌',
        userManagement: '✅',
        viewServicesAndWorkflows: '✅',
        viewTransactionsAndReports: '✅',
      },
      auditor: {
        configChanges: '❌',
        userManagement: '❌',
        viewServicesAndWorkflows: '❌',
        viewTransactionsAndReports: '✅',
      },
      default: {
        configChanges: '❌',
        userManagement: '❌',
        viewServicesAndWorkflows: '✅',
        viewTransactionsAndReports: '✅',
      },
    };
    const capabilities = Object.keys(idvCapabilities) as Array<keyof typeof idvCapabilities>;
    const cellsOf = (
      who: string,
      role: Role,
      subject: string,
      scope: string,
      held: boolean,
    ): Cell[] =>
      capabilities.map((cap) => ({
        label: `${who} ${role} — ${cap}`,
        subject,
        scope,
        permissions: idvCapabilities[cap],
        expected: held && yes(table[role][cap]),
      }));
    let fx: OrgFixture;
    let org: string;
    let accountOpening: string;
    let payments: string;
    const atOrg = {} as Record<Role, string>;
    const atSubtenant = {} as Record<Role, string>;
    let multi: string;

    beforeAll(async () => {
      fx = await createOrgFixture(t, {
        name: 'IDV console customer',
        preset: 'idv-console',
        clientRole: 'admin',
      });
      const { gh, orgId, revisions } = fx;
      org = orgId;
      accountOpening = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'subtenant', name: 'Account Opening' }),
      ).id;
      payments = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'subtenant', name: 'Payments' }),
      ).id;
      atOrg.admin = fx.ownerUserId;
      for (const role of roles) {
        if (role !== 'admin') {
          atOrg[role] = revisions.note(
            await gh.api.members.add.mutate({
              orgId,
              email: email(`org-${role}`),
              roles: [{ role }],
            }),
          ).userId;
        }
        atSubtenant[role] = revisions.note(
          await gh.api.members.add.mutate({
            orgId,
            email: email(`ao-${role}`),
            roles: [{ role, scopeId: accountOpening }],
          }),
        ).userId;
      }
      // "Service Manager on one subtenant and Default (read-only) on another".
      multi = revisions.note(
        await gh.api.members.add.mutate({
          orgId,
          email: email('multi'),
          roles: [
            { role: 'service_manager', scopeId: accountOpening },
            { role: 'default', scopeId: payments },
          ],
        }),
      ).userId;
    });

    it('R2 seed 002: the 20 cells at organization level hold at the org and in every subtenant', async () => {
      const cells = roles.flatMap((role) =>
        [org, accountOpening, payments].flatMap((scope) =>
          cellsOf('org-level', role, atOrg[role], scope, true),
        ),
      );
      expect(cells).toHaveLength(60);
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
    });

    it('R2 T4 seed 002: the 20 cells at subtenant level hold in that subtenant only', async () => {
      const cells = roles.flatMap((role) => [
        ...cellsOf('Account Opening', role, atSubtenant[role], accountOpening, true),
        ...cellsOf('Account Opening', role, atSubtenant[role], payments, false),
        ...cellsOf('Account Opening', role, atSubtenant[role], org, false),
      ]);
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
    });

    it('R2 M5 seed 002: different roles on different subtenants', async () => {
      await expectCells(fx.gh, org, fx.revisions.latest, [
        ...cellsOf('multi', 'service_manager', multi, accountOpening, true),
        ...cellsOf('multi', 'default', multi, payments, true),
        ...cellsOf('multi', 'default', multi, org, false),
      ]);
    });

    it('T4 C5 seed 002: a subtenant user sees only that subtenant, never org-level settings', async () => {
      for (const role of roles) {
        const { result } = await fx.gh.api.authz.listScopes.query({
          orgId: org,
          subject: atSubtenant[role],
          permission: 'scopes.read',
          minRevision: fx.revisions.latest,
        });
        expect(
          result.items.map((s) => s.id),
          role,
        ).toEqual([accountOpening]);
      }
      const { result } = await fx.gh.api.authz.effectivePermissions.query({
        orgId: org,
        subject: atSubtenant.admin,
        scope: org,
      });
      expect(result).toEqual([]);
    });

    it('M5 T4 seed 002: "assign them a subtenant-level role": the org-level role ends, audited; "multiple subtenants with different roles on each"', async () => {
      const { gh, revisions } = fx;
      const dev = revisions.note(
        await gh.api.members.add.mutate({
          orgId: org,
          email: email('developer'),
          roles: [{ role: 'default' }],
        }),
      ).userId;
      // Admin → Users → Edit → "Add Subtenant Role": Service Manager on Account Opening ...
      revisions.note(
        await gh.api.members.setRoles.mutate({
          orgId: org,
          userId: dev,
          scopeId: accountOpening,
          roles: [{ role: 'service_manager' }],
        }),
      );
      // ... and Default (read-only) on Payments.
      revisions.note(
        await gh.api.assignments.assign.mutate({
          orgId: org,
          subjectId: dev,
          role: 'default',
          scopeId: payments,
        }),
      );
      await expectCells(gh, org, revisions.latest, [
        ...cellsOf('moved down', 'service_manager', dev, accountOpening, true),
        ...cellsOf('moved down', 'default', dev, payments, true),
        ...cellsOf('moved down', 'default', dev, org, false),
      ]);
      const audit = await gh.api.audit.list.query({ orgId: org, action: 'RoleRevoked' });
      expect(audit.items[0]).toMatchObject({
        before: { subjectId: dev, role: 'default', scopeId: org },
        after: { reason: `moved to subtenant ${accountOpening}` },
      });
      // An org-level Manager may not take a Service Manager's org-level role: nothing changes.
      const before = revisions.latest;
      expect(
        await failure(
          gh.asUser(atOrg.manager).api.assignments.assign.mutate({
            orgId: org,
            subjectId: atOrg.service_manager,
            role: 'default',
            scopeId: payments,
          }),
        ),
      ).toMatchObject({ code: 'FORBIDDEN' });
      expect((await t.admin.api.orgs.get.query({ orgId: org })).revision).toBe(before);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('seed 003 (IDWise): user groups, business-wide or tenant-specific, Live and Sandbox', () => {
    type Feature = (typeof idwiseFeatures)[number]['key'];
    type Env = 'live' | 'sandbox';
    /**
     * The groups as the seed's "create or edit a group" screen sets them: type (business or
     * tenants) and the features ticked for Live, for Sandbox, or for both.
     */
    const grid: Record<
      'compliance' | 'frontend' | 'regional',
      { name: string; tenants: 'uk' | null; live: Feature[]; sandbox: Feature[]; both: Feature[] }
    > = {
      compliance: {
        name: 'Compliance',
        tenants: null,
        live: ['view_verification', 'export_verification', 'manual_decisions'],
        sandbox: ['view_verification'],
        both: ['analytics'],
      },
      frontend: {
        name: 'Frontend Developers',
        tenants: null,
        live: [],
        sandbox: ['perform_verification', 'flow_builder', 'theme_designer', 'developer_area'],
        both: [],
      },
      regional: {
        name: 'Regional Admins UK',
        tenants: 'uk',
        live: [
          'perform_verification',
          'view_verification',
          'view_original_selfie',
          'delete_verification',
        ],
        sandbox: [],
        both: [],
      },
    };
    const membership = {
      compliance: ['compliance'],
      frontend: ['frontend'],
      regional: ['regional'],
      both: ['compliance', 'frontend'],
    } as const;
    type Person = keyof typeof membership;
    let fx: OrgFixture;
    let biz: string;
    const tenant = {} as Record<'uk' | 'uae', string>;
    const groupId = {} as Record<keyof typeof grid, string>;
    const person = {} as Record<Person | 'admin', string>;

    beforeAll(async () => {
      fx = await createOrgFixture(t, {
        name: 'IDWise business',
        preset: 'idwise',
        clientRole: 'administrator',
      });
      const { gh, orgId, revisions } = fx;
      biz = orgId;
      person.admin = fx.ownerUserId;
      tenant.uk = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'tenant', name: 'UK' }),
      ).id;
      tenant.uae = revisions.note(
        await gh.api.scopes.create.mutate({ orgId, kind: 'tenant', name: 'UAE' }),
      ).id;
      for (const [key, g] of Object.entries(grid) as Array<
        [keyof typeof grid, (typeof grid)[keyof typeof grid]]
      >) {
        const limitedTo = g.tenants ? [tenant[g.tenants]] : null;
        groupId[key] = revisions.note(
          await gh.api.groups.create.mutate({ orgId, name: g.name, limitedTo }),
        ).id;
        const scopeId = g.tenants ? tenant[g.tenants] : orgId;
        const grants: Array<[Feature, Env | null]> = [
          ...g.live.map((f): [Feature, Env] => [f, 'live']),
          ...g.sandbox.map((f): [Feature, Env] => [f, 'sandbox']),
          ...g.both.map((f): [Feature, null] => [f, null]),
        ];
        for (const [role, environment] of grants) {
          revisions.note(
            await gh.api.assignments.assign.mutate({
              orgId,
              subjectId: groupId[key],
              role,
              scopeId,
              environment,
            }),
          );
        }
      }
      for (const [who, groups] of Object.entries(membership) as Array<
        [Person, readonly (keyof typeof grid)[]]
      >) {
        // No default role in this preset: access comes from groups only.
        person[who] = revisions.note(
          await gh.api.members.add.mutate({ orgId, email: email(who) }),
        ).userId;
        for (const g of groups) {
          revisions.note(
            await gh.api.groups.addMembers.mutate({
              orgId,
              groupId: groupId[g],
              memberIds: [person[who]],
            }),
          );
        }
      }
    });

    it('T5 G1 G2 seed 003: every feature × Live/Sandbox × tenant, per person, in one checkMany call', async () => {
      const cells: Cell[] = [];
      for (const who of Object.keys(membership) as Person[]) {
        for (const f of idwiseFeatures) {
          for (const env of ['live', 'sandbox'] as const) {
            for (const tn of ['uk', 'uae'] as const) {
              const expected = membership[who].some((g) => {
                const row = grid[g];
                const ticked = row[env].includes(f.key) || row.both.includes(f.key);
                return ticked && (row.tenants === null || row.tenants === tn);
              });
              cells.push({
                label: `${who} — ${f.name} ${env} in ${tn}`,
                subject: person[who],
                scope: tenant[tn],
                permissions: f.permissions,
                environment: env,
                expected,
              });
            }
          }
        }
        // With no environment named, only grants that hold in both count.
        cells.push(
          {
            label: `${who} — Analytics, no environment`,
            subject: person[who],
            scope: tenant.uk,
            permissions: ['analytics.read'],
            expected: membership[who].some((g) => g === 'compliance'),
          },
          {
            label: `${who} — View Verification (Live and Sandbox ticked separately), no environment`,
            subject: person[who],
            scope: tenant.uk,
            permissions: ['verifications.view'],
            expected: false,
          },
        );
      }
      for (const env of ['live', 'sandbox', undefined] as const) {
        cells.push({
          label: `Administrator — every feature (${env ?? 'no environment'})`,
          subject: person.admin,
          scope: tenant.uae,
          permissions: idwiseFeatures.flatMap((f) => f.permissions),
          environment: env,
          expected: true,
        });
      }
      const n = await expectCells(fx.gh, biz, fx.revisions.latest, cells);
      expect(n).toBeGreaterThan(200);
    });

    it('G1 seed 003: a tenant-specific group cannot be given a role outside its tenants', async () => {
      const before = (await fx.gh.api.orgs.get.query({ orgId: biz })).revision;
      for (const scopeId of [biz, tenant.uae]) {
        const err = await failure(
          fx.gh.api.assignments.assign.mutate({
            orgId: biz,
            subjectId: groupId.regional,
            role: 'analytics',
            scopeId,
            environment: 'live',
          }),
        );
        expect(err).toMatchObject({ code: 'BAD_REQUEST', domainCode: 'INVALID' });
      }
      expect((await fx.gh.api.orgs.get.query({ orgId: biz })).revision).toBe(before);
      const groups = await fx.gh.api.groups.list.query({ orgId: biz });
      expect(groups.find((g) => g.id === groupId.regional)).toMatchObject({
        limitedTo: [tenant.uk],
        memberCount: 1,
      });
      expect(groups.find((g) => g.id === groupId.compliance)).toMatchObject({
        limitedTo: null,
        memberCount: 2,
      });
    });

    it('R7 seed 003: deleting verifications and original selfies are marked sensitive', async () => {
      const roles = await fx.gh.api.roles.list.query({ orgId: biz });
      const sensitive = Object.fromEntries(roles.map((r) => [r.key, r.sensitivePermissions]));
      expect(sensitive.view_original_selfie).toEqual(['verifications.viewOriginalSelfie']);
      expect(sensitive.delete_verification).toEqual(['verifications.delete']);
      expect(sensitive.view_verification).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('seed 004 (identity platform): Owner, Member, module roles, inheriting sub-organizations', () => {
    type Column = 'owner' | 'member' | 'developersWrite' | 'sessionsRead';
    const modules = ['workflows', 'sessions', 'billing', 'developers'] as const;
    /** Seed 004: Owner (full admin), Member (read only), module read/write roles. */
    const table: ReadonlyArray<{ what: string; permissions: string[] } & Record<Column, Mark>> = [
      {
        what: 'add/remove members',
        permissions: ['members.invite', 'members.remove'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'edit organization details',
        permissions: ['org.update'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'manage roles',
        permissions: ['roles.assign'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'see the organization',
        permissions: ['org.read', 'scopes.read'],
        owner: '✅',
        member: '✅',
        developersWrite: '✅',
        sessionsRead: '✅',
      },
      {
        what: 'workflows: read',
        permissions: ['workflows.read'],
        owner: '✅',
        member: '✅',
        developersWrite: '✅',
        sessionsRead: '❌',
      },
      {
        what: 'sessions: read',
        permissions: ['sessions.read'],
        owner: '✅',
        member: '✅',
        developersWrite: '✅',
        sessionsRead: '✅',
      },
      {
        what: 'billing: read',
        permissions: ['billing.read'],
        owner: '✅',
        member: '✅',
        developersWrite: '✅',
        sessionsRead: '❌',
      },
      {
        what: 'developers: read',
        permissions: ['developers.read', 'apiClients.read', 'webhooks.read'],
        owner: '✅',
        member: '✅',
        developersWrite: '✅',
        sessionsRead: '❌',
      },
      {
        what: 'workflows: write',
        permissions: ['workflows.write'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'sessions: write',
        permissions: ['sessions.write'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'billing: write',
        permissions: ['billing.write'],
        owner: '✅',
        member: '❌',
        developersWrite: '❌',
        sessionsRead: '❌',
      },
      {
        what: 'developers: write',
        permissions: ['developers.write', 'apiClients.manage', 'webhooks.manage'],
        owner: '✅',
        member: '❌',
        developersWrite: '✅',
        sessionsRead: '❌',
      },
    ];
    let fx: OrgFixture;
    let org: string;
    let subA: string;
    let subA1: string;
    let subB: string;
    const u = {} as Record<Column | 'subMember' | 'subWriter', string>;

    beforeAll(async () => {
      fx = await createOrgFixture(t, {
        name: 'Identity platform customer',
        preset: 'identity-platform',
        clientRole: 'owner',
      });
      const { gh, orgId, revisions } = fx;
      org = orgId;
      const sub = async (name: string, parentId?: string) =>
        revisions.note(
          await gh.api.scopes.create.mutate({ orgId, kind: 'sub_organization', name, parentId }),
        ).id;
      subA = await sub('Europe');
      subA1 = await sub('Germany', subA);
      subB = await sub('Americas');
      u.owner = fx.ownerUserId;
      const add = async (who: string, roles?: Array<{ role: string; scopeId?: string }>) =>
        revisions.note(await gh.api.members.add.mutate({ orgId, email: email(who), roles })).userId;
      u.member = await add('member'); // M1: "added to the team as a Member with read only access"
      u.developersWrite = await add('developer', [
        { role: 'member' },
        { role: 'developers_write' },
      ]);
      u.sessionsRead = await add('sessions-reader', [{ role: 'sessions_read' }]);
      // Invited directly from within the sub-organization.
      u.subMember = await add('sub-member', [{ role: 'member', scopeId: subA }]);
      u.subWriter = await add('sub-writer', [{ role: 'member' }]);
      revisions.note(
        await gh.api.assignments.assign.mutate({
          orgId,
          subjectId: u.subWriter,
          role: 'workflows_write',
          scopeId: subA,
        }),
      );
    });

    it('R2 R3 seed 004: Owner, Member and module roles, every cell, at the organization', async () => {
      const columns: Column[] = ['owner', 'member', 'developersWrite', 'sessionsRead'];
      const cells: Cell[] = table.flatMap((row) =>
        columns.map((c) => ({
          label: `${c} — ${row.what}`,
          subject: u[c],
          scope: org,
          permissions: row.permissions,
          expected: yes(row[c]),
        })),
      );
      await expectCells(fx.gh, org, fx.revisions.latest, cells);
    });

    it('T3 seed 004: sub-organizations inherit roles; "None" there falls back to the parent', async () => {
      const reads = modules.map((m) => `${m}.read`);
      await expectCells(fx.gh, org, fx.revisions.latest, [
        // Inherited from the root, at any depth.
        {
          label: 'Member in Europe',
          subject: u.member,
          scope: subA,
          permissions: reads,
          expected: true,
        },
        {
          label: 'Member in Germany',
          subject: u.member,
          scope: subA1,
          permissions: reads,
          expected: true,
        },
        {
          label: 'Member cannot write in Germany',
          subject: u.member,
          scope: subA1,
          permissions: ['workflows.write'],
          expected: false,
        },
        {
          label: 'Developers: Write in Germany (None there)',
          subject: u.developersWrite,
          scope: subA1,
          permissions: ['developers.write'],
          expected: true,
        },
        {
          label: 'Owner in Americas',
          subject: u.owner,
          scope: subB,
          permissions: ['members.invite', 'billing.write'],
          expected: true,
        },
        // Invited into Europe only: Europe and below, never the root or Americas.
        {
          label: 'sub-org member in Europe',
          subject: u.subMember,
          scope: subA,
          permissions: reads,
          expected: true,
        },
        {
          label: 'sub-org member in Germany',
          subject: u.subMember,
          scope: subA1,
          permissions: reads,
          expected: true,
        },
        {
          label: 'sub-org member at the root',
          subject: u.subMember,
          scope: org,
          permissions: reads,
          expected: false,
        },
        {
          label: 'sub-org member in Americas',
          subject: u.subMember,
          scope: subB,
          permissions: reads,
          expected: false,
        },
        // A module role given at the sub-organization adds to the inherited Member role.
        {
          label: 'Workflows: Write in Europe',
          subject: u.subWriter,
          scope: subA,
          permissions: ['workflows.write'],
          expected: true,
        },
        {
          label: 'Workflows: Write in Germany',
          subject: u.subWriter,
          scope: subA1,
          permissions: ['workflows.write'],
          expected: true,
        },
        {
          label: 'Workflows: Write not at the root',
          subject: u.subWriter,
          scope: org,
          permissions: ['workflows.write'],
          expected: false,
        },
        {
          label: 'Workflows: Write not in Americas',
          subject: u.subWriter,
          scope: subB,
          permissions: ['workflows.write'],
          expected: false,
        },
      ]);
    });

    it('T3 C5 seed 004: listSubjects at a sub-organization shows "inherited" vs "direct" and where from', async () => {
      const list = async (scope: string) => {
        const { result } = await fx.gh.api.authz.listSubjects.query({
          orgId: org,
          scope,
          permission: 'workflows.read',
          type: 'user',
          minRevision: fx.revisions.latest,
        });
        expect(result.nextCursor).toBeNull();
        return new Map(result.items.map((s) => [s.subjectId, s]));
      };
      const europe = await list(subA);
      expect(Object.fromEntries([...europe].map(([id, s]) => [id, s.membership]))).toEqual({
        [u.owner]: 'inherited',
        [u.member]: 'inherited',
        [u.developersWrite]: 'inherited',
        [u.subMember]: 'direct',
        [u.subWriter]: 'direct',
      });
      expect(europe.get(u.member)?.sources[0]).toMatchObject({
        scopeId: org,
        inherited: true,
        roleKey: 'member',
      });
      expect(europe.get(u.subMember)?.sources[0]).toMatchObject({
        scopeId: subA,
        inherited: false,
        roleKey: 'member',
      });
      // The direct member of Europe is inherited one level down.
      const germany = await list(subA1);
      expect(germany.get(u.subMember)).toMatchObject({
        membership: 'inherited',
        sources: [expect.objectContaining({ scopeId: subA })],
      });
      expect(germany.get(u.subWriter)?.membership).toBe('inherited');
      // Americas: only the root's people.
      expect([...(await list(subB)).keys()].sort()).toEqual(
        [u.owner, u.member, u.developersWrite, u.subWriter].sort(),
      );
    });
  });
});

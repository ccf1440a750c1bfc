/**
 * Issue 12 (R1): presets applied at run time, stored versioned; every org of the key follows the
 * newest version; adding is always allowed, removing what is in use is refused with every use
 * listed unless the document renames it, and `diff` reports exactly what `apply` would do.
 */
import type { PresetDocument } from '@gatehouse/core';
import { docsAppDocument } from '@gatehouse/core/reference';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  applyPreset,
  authz,
  createApiClient,
  createOrg,
  createRole,
  createScope,
  diffPreset,
  getOrg,
  inviteMember,
  listAudit,
  listPresets,
  showPreset,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, asClient } from '../testing.js';

const key = 'docs-stored';
const v1: PresetDocument = { ...docsAppDocument, key };
const withComments: PresetDocument = {
  ...v1,
  catalog: { docs: { actions: ['read', 'write', 'delete', 'comment'], sensitive: ['delete'] } },
  roles: {
    ...v1.roles,
    commenter: { name: 'Commenter', permissions: ['docs.read', 'docs.comment'], slot: 'primary' },
  },
};
const { writer: _writer, ...rolesWithoutWriter } = withComments.roles;
const withoutWriter: PresetDocument = {
  ...withComments,
  roles: rolesWithoutWriter,
  defaultRoles: { organization: 'reader', project: 'reader' },
};
const writerRenamed: PresetDocument = {
  ...withoutWriter,
  roles: { ...rolesWithoutWriter, editor: withComments.roles.writer! },
  defaultRoles: { organization: 'reader', project: 'editor' },
  renamed: { roles: { writer: 'editor' } },
};

describe.each(testBackends())('issue 12 R1: stored, versioned presets, $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let orgId: string;
  let projectId: string;
  let writerId: string;
  const sys = () => ({ services: s, caller: admin });
  const check = async (svc: Services, subject: string, permission: string, scope: string) =>
    (await authz.check({ services: svc, caller: admin, orgId }, { subject, permission, scope }))
      .result.allowed;

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  it('R1 applies a new key as version 1; orgs are created on its newest version', async () => {
    const report = await applyPreset(sys(), { document: v1 });
    expect(report).toMatchObject({ key, fromVersion: null, version: 1, applied: true });
    expect(report.changes.roles.added).toEqual(['owner', 'reader', 'writer']);
    const { result: org } = await createOrg(sys(), {
      name: 'Stored Docs',
      preset: key,
      owner: { email: 'owner@stored.test' },
    });
    expect(org).toMatchObject({ preset: key, presetVersion: 1 });
    orgId = org.id;
    const call = { ...sys(), orgId };
    projectId = (await createScope(call, { kind: 'project', name: 'Guides' })).result.id;
    writerId = (
      await addMember(call, {
        email: 'writer@stored.test',
        roles: [{ role: 'writer', scopeId: projectId }],
      })
    ).result.userId;
    expect(await check(s, writerId, 'docs.write', projectId)).toBe(true);
    const listed = (await listPresets(sys())).find((p) => p.key === key);
    expect(listed).toMatchObject({ source: 'stored', version: 1, orgs: 1 });
  });

  it('R1 the same document again changes nothing', async () => {
    const report = await applyPreset(sys(), { document: { ...v1, $schema: './x.json' } });
    expect(report).toMatchObject({ version: 1, applied: false, unchanged: true });
  });

  it('R1 adding a permission and a role is allowed: every org moves, audited, and checks follow', async () => {
    const report = await applyPreset(sys(), { document: withComments });
    expect(report).toMatchObject({ fromVersion: 1, version: 2, applied: true, blocked: false });
    expect(report.changes.permissions.added).toEqual(['docs.comment']);
    expect(report.changes.roles.added).toEqual(['commenter']);
    expect(report.orgs).toEqual([expect.objectContaining({ orgId, fromVersion: 1, blockers: [] })]);
    const call = { ...sys(), orgId };
    expect((await getOrg(call)).presetVersion).toBe(2);
    const { result: c } = await addMember(call, {
      email: 'commenter@stored.test',
      roles: [{ role: 'commenter' }],
    });
    expect(await check(s, c.userId, 'docs.comment', projectId)).toBe(true);
    // Another process (services without any preset in memory) reads the version from the database.
    expect(await check(createServices(g.db), c.userId, 'docs.comment', projectId)).toBe(true);
    const audit = await listAudit(call, { action: 'PresetVersionApplied' });
    expect(audit.items).toEqual([
      expect.objectContaining({
        after: expect.objectContaining({ preset: key, version: 2 }),
      }),
    ]);
  });

  it('R1 removing a role in use is refused with every use; diff reports the same; nothing changes', async () => {
    const call = { ...sys(), orgId };
    await inviteMember(call, {
      email: 'later@stored.test',
      roles: [{ role: 'writer', scopeId: projectId }],
    });
    const diff = await diffPreset(sys(), { document: withoutWriter });
    expect(diff).toMatchObject({ version: 3, applied: false, blocked: true });
    const blockers = diff.orgs[0]!.blockers;
    expect(blockers).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pending invitation inv_\w+ gives role "writer"/),
        expect.stringMatching(
          /^assignment \w+ .* gives role "writer", which the preset no longer has/,
        ),
      ]),
    );
    const refused = await applyPreset(sys(), { document: withoutWriter }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect(refused.message).toContain('"writer"');
    expect(refused.details.report.orgs[0].blockers).toEqual(blockers);
    expect((await getOrg(call)).presetVersion).toBe(2);
    expect((await showPreset(sys(), { key })).version).toBe(2);
    expect(await check(s, writerId, 'docs.write', projectId)).toBe(true);
  });

  it('R1 a rename migrates the assignment, the pending invitation and the default role', async () => {
    const report = await applyPreset(sys(), { document: writerRenamed });
    expect(report).toMatchObject({ version: 3, applied: true });
    expect(report.changes.roles).toMatchObject({ renamed: { writer: 'editor' }, removed: [] });
    expect(report.orgs[0]!.moved).toEqual({
      assignments: 1,
      invitations: 1,
      customRoles: 0,
      scopes: 0,
    });
    expect(await check(s, writerId, 'docs.write', projectId)).toBe(true);
    const snap = await authz.snapshot({ ...sys(), orgId });
    expect(snap.assignments.filter((a) => a.subjectId === writerId).map((a) => a.roleKey)).toEqual([
      'editor',
    ]);
  });

  it('R1 R3 a renamed permission moves custom roles with it', async () => {
    const call = { ...sys(), orgId };
    await createRole(call, {
      key: 'proofreader',
      name: 'Proofreader',
      permissions: ['docs.comment'],
    });
    const { renamed: _r, ...base } = writerRenamed;
    const next: PresetDocument = {
      ...base,
      catalog: {
        docs: { actions: ['read', 'write', 'delete', 'annotate'], sensitive: ['delete'] },
      },
      roles: {
        ...base.roles,
        commenter: {
          name: 'Commenter',
          permissions: ['docs.read', 'docs.annotate'],
          slot: 'primary',
        },
      },
      renamed: { permissions: { 'docs.comment': 'docs.annotate' } },
    };
    const report = await applyPreset(sys(), { document: next });
    expect(report.orgs[0]!.moved.customRoles).toBe(1);
    const snap = await authz.snapshot(call);
    expect(snap.roles.find((r) => r.key === 'proofreader')?.permissions).toEqual(['docs.annotate']);
  });

  it('R3 R6 custom roles may use any permission of the stored catalog, never beyond what the creator holds', async () => {
    const { renamed: _r, ...current } = (await showPreset(sys(), { key }))
      .document as PresetDocument;
    const withManager: PresetDocument = {
      ...current,
      roles: {
        ...current.roles,
        manager: { name: 'Manager', permissions: ['roles.manage', 'docs.read', 'docs.write'] },
      },
    };
    await applyPreset(sys(), { document: withManager });
    const call = { ...sys(), orgId };
    const { result: issued } = await createApiClient(call, {
      name: 'manager key',
      roles: [{ role: 'manager' }],
    });
    const asManager = { services: s, caller: asClient(orgId, issued.client.id), orgId };
    const { result: role } = await createRole(asManager, {
      key: 'docs_editor',
      name: 'Docs editor',
      permissions: ['docs.read', 'docs.write'],
    });
    expect(role.key).toBe('docs_editor');
    await expect(
      createRole(asManager, { key: 'deleter', name: 'Deleter', permissions: ['docs.delete'] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('R1 bad documents and bad renames are INVALID with paths; built-in keys and org callers are refused', async () => {
    const bad = await applyPreset(sys(), {
      document: {
        ...v1,
        roles: { ...v1.roles, reader: { name: 'R', permissions: ['docs.wirte'] } },
      },
    }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'INVALID' });
    expect(bad.details.issues).toEqual([
      { path: 'roles.reader.permissions[0]', message: 'unknown permission "docs.wirte"' },
    ]);
    const badRename = await diffPreset(sys(), {
      document: { ...writerRenamed, renamed: { roles: { author: 'editor' } } },
    }).catch((e) => e);
    expect(badRename).toMatchObject({ code: 'INVALID' });
    expect(badRename.details.issues[0].path).toBe('renamed.roles.author');
    await expect(applyPreset(sys(), { document: { ...v1, key: 'idnow' } })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('built in'),
    });
    await expect(
      applyPreset({ services: s, caller: asClient(orgId, 'cli_x') }, { document: v1 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await showPreset(sys(), { key })).versions.map((v) => v.version)).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });
});

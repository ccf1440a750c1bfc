/**
 * Issue 12: organizations on a deployment's own preset. The presets come with the services
 * (`createServices(db, { presets })`), not from a process-wide map: services without that
 * preset do not know it, and the unknown-preset error lists the keys the services do know.
 */
import { PresetRegistry, parsePresetDocument } from '@gatehouse/core';
import { docsAppDocument } from '@gatehouse/core/reference';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, authz, createOrg, createScope } from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

describe.each(testBackends())(
  'issue 12: an org on the deployment’s own preset, $name',
  (backend) => {
    let g: Gatedb;
    let s: Services;
    beforeAll(async () => {
      g = await backend.open();
      s = createServices(g.db, {
        presets: PresetRegistry.withBuiltIns([parsePresetDocument(docsAppDocument)]),
      });
    });
    afterAll(async () => {
      await g?.close();
    });

    it('R2 T2 M1 creates the org on it, nests its scope kinds, gives its default role, checks its permissions', async () => {
      const { result: org } = await createOrg(
        { services: s, caller: admin },
        { name: 'Handbook Inc', preset: 'docs-app', owner: { email: 'owner@handbook.test' } },
      );
      expect(org.preset).toBe('docs-app');
      const call = { services: s, caller: admin, orgId: org.id };
      const { result: project } = await createScope(call, { kind: 'project', name: 'Guides' });
      await expect(
        createScope(call, { kind: 'project', name: 'Nested', parentId: project.id }),
      ).rejects.toMatchObject({ code: 'INVALID' });
      const { result: reader } = await addMember(call, { email: 'reader@handbook.test' });
      expect(reader.roles.map((r) => r.role)).toEqual(['reader']);
      const { result: writer, revision } = await addMember(call, {
        email: 'writer@handbook.test',
        roles: [{ role: 'writer', scopeId: project.id }],
      });
      const check = async (subject: string, permission: string, scope: string) =>
        (await authz.check(call, { subject, permission, scope }, revision)).result.allowed;
      expect(await check(writer.userId, 'docs.write', project.id)).toBe(true);
      expect(await check(writer.userId, 'docs.write', org.id)).toBe(false);
      expect(await check(reader.userId, 'docs.read', project.id)).toBe(true);
      expect(await check(reader.userId, 'docs.write', project.id)).toBe(false);
      await expect(
        addMember(call, { email: 'x@handbook.test', roles: [{ role: 'writer' }] }),
      ).rejects.toMatchObject({ code: 'INVALID' });

      // Services built without it (another deployment) do not know the preset.
      const builtInsOnly = createServices(g.db);
      await expect(
        authz.check(
          { ...call, services: builtInsOnly },
          { subject: writer.userId, permission: 'docs.read', scope: project.id },
        ),
      ).rejects.toThrow('unknown preset "docs-app"');
    });

    it('R2 an unknown preset is INVALID, listing the keys these services know', async () => {
      await expect(
        createOrg({ services: s, caller: admin }, { name: 'Nope', preset: 'doc-app' }),
      ).rejects.toMatchObject({
        code: 'INVALID',
        message:
          'unknown preset "doc-app"; known: idnow, flowcode, idv-console, idwise, identity-platform, docs-app',
      });
    });
  },
);

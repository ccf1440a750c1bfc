/**
 * `pnpm start`: for now, a demo of the engine on the Flowcode preset (seed 001) that prints
 * decisions. The next step (issue 3) makes this the Gatehouse server.
 */
import { createEngine, flowcodePreset, snapshotFor } from '@gatehouse/core';

const engine = createEngine(
  snapshotFor(flowcodePreset, {
    orgId: 'org_demo',
    scopes: [
      { id: 'org_demo', parentId: null, kind: 'organization', name: 'Demo Inc.' },
      { id: 'ws_marketing', parentId: 'org_demo', kind: 'workspace', name: 'Marketing' },
      { id: 'ws_sales', parentId: 'org_demo', kind: 'workspace', name: 'Sales' },
    ],
    subjects: [
      { id: 'usr_ada', type: 'user', active: true, label: 'ada@demo.test' },
      { id: 'usr_bob', type: 'user', active: true, label: 'bob@demo.test' },
      { id: 'usr_cy', type: 'user', active: true, label: 'cy@demo.test' },
    ],
    assignments: [
      {
        id: 'as_1',
        subjectId: 'usr_ada',
        roleKey: 'org_admin',
        scopeId: 'org_demo',
        environment: null,
      },
      {
        id: 'as_2',
        subjectId: 'usr_bob',
        roleKey: 'org_user',
        scopeId: 'org_demo',
        environment: null,
      },
      {
        id: 'as_3',
        subjectId: 'usr_bob',
        roleKey: 'workspace_viewer',
        scopeId: 'ws_marketing',
        environment: null,
      },
      {
        id: 'as_4',
        subjectId: 'usr_bob',
        roleKey: 'flows_manager',
        scopeId: 'ws_marketing',
        environment: null,
      },
      {
        id: 'as_5',
        subjectId: 'usr_cy',
        roleKey: 'workspace_admin',
        scopeId: 'ws_sales',
        environment: null,
      },
    ],
  }),
);

const questions: Array<[string, string, string]> = [
  ['usr_ada', 'flows.write', 'ws_sales'],
  ['usr_bob', 'flows.write', 'ws_marketing'],
  ['usr_bob', 'flows.write', 'ws_sales'],
  ['usr_bob', 'org.update', 'org_demo'],
  ['usr_cy', 'members.invite', 'ws_sales'],
  ['usr_cy', 'members.invite', 'ws_marketing'],
];
console.log('Gatehouse engine demo — Flowcode preset (seed 001)\n');
for (const [subject, permission, scope] of questions) {
  const e = engine.explain({ subject, permission, scope });
  console.log(
    `${e.allowed ? 'ALLOW' : 'DENY '} ${subject} ${permission} @ ${scope}\n       ${e.reason}`,
  );
}
const visible = engine.listScopes('usr_bob', 'scopes.read').items.map((s) => s.name);
console.log(`\nusr_bob (Organization User) sees workspaces: ${visible.join(', ')}`);

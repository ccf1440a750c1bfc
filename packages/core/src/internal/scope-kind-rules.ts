/**
 * A preset's scope kinds and their nesting: exactly one root kind (the organization, no
 * parents), parents that exist, no cycles but a kind nesting in itself, every kind reachable
 * from the root.
 */

import type { ScopeKindDocument } from '../preset-document.js';
import { formatPath, type PresetIssue } from '../preset-error.js';

type Kinds = { readonly [kind: string]: ScopeKindDocument };

/** What is wrong with the scope kinds' nesting, each problem at its path. */
export function scopeKindIssues(rootKind: string, kinds: Kinds): PresetIssue[] {
  const issues: PresetIssue[] = [];
  const at = (kind: string, ...rest: PropertyKey[]) => formatPath(['scopeKinds', kind, ...rest]);
  const known = (k: string) => Object.hasOwn(kinds, k);
  const rootKnown = known(rootKind);
  if (!rootKnown) issues.push({ path: 'rootKind', message: unknownKind(rootKind) });
  for (const [kind, def] of Object.entries(kinds)) {
    const parents = def.parents ?? [];
    parents.forEach((p, i) => {
      if (!known(p)) issues.push({ path: at(kind, 'parents', i), message: unknownKind(p) });
    });
    if (!rootKnown) continue;
    if (kind === rootKind && parents.length > 0) {
      issues.push({ path: at(kind, 'parents'), message: 'the root kind has no parents' });
    } else if (kind !== rootKind && parents.length === 0) {
      issues.push({
        path: at(kind, 'parents'),
        message: `required: only the root kind ("${rootKind}") has no parents`,
      });
    }
  }
  const onCycle = cycles(kinds, issues);
  if (rootKnown) {
    const reached = reachable(rootKind, kinds);
    for (const [kind, def] of Object.entries(kinds)) {
      // Kinds on a cycle, without parents or with an unknown one are reported already.
      const parents = def.parents ?? [];
      if (reached.has(kind) || onCycle.has(kind) || !parents.every(known) || !parents.length)
        continue;
      issues.push({
        path: at(kind, 'parents'),
        message: `scope kind "${kind}" can never be created: no chain of parents leads to the root kind "${rootKind}"`,
      });
    }
  }
  return issues;
}

/** `unknown scope kind "x"`. */
export function unknownKind(kind: string): string {
  return `unknown scope kind ${JSON.stringify(kind)}`;
}

/** Reports each cycle (other than a kind under itself) once; returns the kinds on cycles. */
function cycles(kinds: Kinds, issues: PresetIssue[]): Set<string> {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const onCycle = new Set<string>();
  const visit = (kind: string) => {
    state.set(kind, 'open');
    stack.push(kind);
    (kinds[kind]?.parents ?? []).forEach((parent, i) => {
      if (parent === kind || !Object.hasOwn(kinds, parent)) return;
      if (state.get(parent) === 'open') {
        const loop = [...stack.slice(stack.indexOf(parent)), parent];
        for (const k of loop) onCycle.add(k);
        issues.push({
          path: formatPath(['scopeKinds', kind, 'parents', i]),
          message: `nesting cycle ${loop.join(' → ')}: only a kind nesting in itself may repeat`,
        });
      } else if (!state.has(parent)) {
        visit(parent);
      }
    });
    stack.pop();
    state.set(kind, 'done');
  };
  for (const kind of Object.keys(kinds)) if (!state.has(kind)) visit(kind);
  return onCycle;
}

/** The kinds that can be created below the root: following "may sit under" edges down from it. */
function reachable(root: string, kinds: Kinds): Set<string> {
  const reached = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [kind, def] of Object.entries(kinds)) {
      if (!reached.has(kind) && (def.parents ?? []).some((p) => reached.has(p))) {
        reached.add(kind);
        grew = true;
      }
    }
  }
  return reached;
}

/**
 * Issue 12, by property: random valid preset documents parse (and survive the trip back to a
 * document); a random valid document with one random mistake is refused, with an issue at the
 * mistake's path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PresetError } from './preset-error.js';
import { parsePresetDocument, presetDocument } from './preset-json.js';
import { actionsOf, type Doc, type Role, validDocument } from './testing/random-document.js';

const RUNS = 300;

/** One mistake: the changed document, the path of the issue it must cause, and its message. */
interface Mistake {
  readonly path: string;
  readonly message: RegExp;
}
type Mutation = (doc: Doc, pick: <T>(items: readonly T[]) => T) => Mistake | null;

const nonRoot = (doc: Doc) => Object.keys(doc.scopeKinds).filter((k) => k !== doc.rootKind);
const anyRole = (doc: Doc, pick: <T>(items: readonly T[]) => T) => pick(Object.keys(doc.roles));

const MUTATIONS: Record<string, Mutation> = {
  'a misspelt permission': (doc, pick) => {
    const real = Object.entries(doc.catalog).flatMap(([m, s]) =>
      actionsOf(s).map((a) => `${m}.${a}`),
    );
    const misspelt = `${real.length ? pick(real) : 'members.invite'}x`;
    const r = anyRole(doc, pick);
    const i = doc.roles[r]!.permissions.push(misspelt) - 1;
    return { path: `roles.${r}.permissions[${i}]`, message: /^unknown permission ".+x"$/ };
  },
  'a wildcard on an unknown module': (doc, pick) => {
    const r = anyRole(doc, pick);
    const i = doc.roles[r]!.permissions.push('wiki.*') - 1;
    return { path: `roles.${r}.permissions[${i}]`, message: /unknown module "wiki" in "wiki\.\*"/ };
  },
  'an unknown scope kind on a role': (doc, pick) => {
    const r = anyRole(doc, pick);
    const kinds = doc.roles[r]!.scopeKinds ?? Object.keys(doc.scopeKinds);
    doc.roles[r]!.scopeKinds = [...kinds, 'galaxy'];
    return {
      path: `roles.${r}.scopeKinds[${kinds.length}]`,
      message: /unknown scope kind "galaxy"/,
    };
  },
  'an unknown parent kind': (doc, pick) => {
    const ks = nonRoot(doc);
    if (!ks.length) return null;
    const k = pick(ks);
    const i = doc.scopeKinds[k]!.parents!.push('galaxy') - 1;
    return { path: `scopeKinds.${k}.parents[${i}]`, message: /unknown scope kind "galaxy"/ };
  },
  'a nesting cycle': (doc) => {
    const [a, b] = nonRoot(doc);
    if (!a || !b) return null;
    const under = (k: string, parent: string) => {
      const parents = doc.scopeKinds[k]!.parents!;
      if (!parents.includes(parent)) parents.push(parent);
      return parents.indexOf(parent);
    };
    under(a, b);
    // Kinds are visited in order and nest under earlier ones: the loop closes at b's edge to a.
    return {
      path: `scopeKinds.${b}.parents[${under(b, a)}]`,
      message: new RegExp(`nesting cycle ${a} → ${b} → ${a}`),
    };
  },
  'a second kind without parents': (doc, pick) => {
    const ks = nonRoot(doc);
    if (!ks.length) return null;
    const k = pick(ks);
    delete doc.scopeKinds[k]!.parents;
    return { path: `scopeKinds.${k}.parents`, message: /only the root kind .* has no parents/ };
  },
  'an unknown root kind': (doc) => {
    doc.rootKind = 'galaxy';
    return { path: 'rootKind', message: /unknown scope kind "galaxy"/ };
  },
  'a missing owner role': (doc) => {
    delete doc.roles[doc.ownerRole];
    return { path: 'ownerRole', message: /^unknown role/ };
  },
  'an owner role limited away from the root': (doc) => {
    const [k] = nonRoot(doc);
    if (!k) return null;
    doc.roles[doc.ownerRole]!.scopeKinds = [k];
    return {
      path: 'ownerRole',
      message: new RegExp(`may not be held at ${doc.rootKind} \\(only at ${k}\\)`),
    };
  },
  'an unknown default role': (doc, pick) => {
    const k = pick(Object.keys(doc.scopeKinds));
    doc.defaultRoles[k] = 'nobody';
    return { path: `defaultRoles.${k}`, message: /unknown role "nobody"/ };
  },
  'a default for an unknown kind': (doc) => {
    doc.defaultRoles.galaxy = null;
    return { path: 'defaultRoles.galaxy', message: /unknown scope kind "galaxy"/ };
  },
  'an invariant on an unknown role': (doc) => {
    const i = doc.invariants.push({ roleKey: 'nobody' }) - 1;
    return { path: `invariants[${i}].roleKey`, message: /unknown role "nobody"/ };
  },
  'a slot that is not a string': (doc, pick) => {
    const r = anyRole(doc, pick);
    doc.roles[r]!.slot = 1;
    return { path: `roles.${r}.slot`, message: /expected string, got number/ };
  },
  'a misspelt field': (doc, pick) => {
    const r = anyRole(doc, pick);
    doc.roles[r]!.permisions = [];
    return { path: `roles.${r}.permisions`, message: /^unknown field$/ };
  },
  'a missing role name': (doc, pick) => {
    const r = anyRole(doc, pick);
    delete (doc.roles[r] as Partial<Role>).name;
    return { path: `roles.${r}.name`, message: /^required$/ };
  },
  'a role key with a space': (doc) => {
    doc.roles['Power user'] = { name: 'Power user', permissions: [] };
    return { path: 'roles["Power user"]', message: /invalid role key "Power user"/ };
  },
  'an undeclared sensitive action': (doc, pick) => {
    const ms = Object.keys(doc.catalog);
    if (!ms.length) return null;
    const m = pick(ms);
    const spec = doc.catalog[m]!;
    const long = Array.isArray(spec) ? { actions: spec } : spec;
    const sensitive = [...(long.sensitive ?? []), 'ghost'];
    doc.catalog[m] = { ...long, sensitive };
    return {
      path: `catalog.${m}.sensitive[${sensitive.length - 1}]`,
      message: new RegExp(`sensitive action "${m}.ghost" is not declared`),
    };
  },
  'an inheritance for a slot no role uses': (doc) => {
    doc.inheritance = { ...doc.inheritance, 'modul:flows': 'override' };
    return { path: 'inheritance["modul:flows"]', message: /^no role uses slot "modul:flows"$/ };
  },
  'an inheritance other than additive or override': (doc) => {
    doc.inheritance = { ...doc.inheritance, primary: 'stacked' };
    return { path: 'inheritance.primary', message: /^must be "additive" or "override"$/ };
  },
  'an action declared twice': (doc, pick) => {
    const ms = Object.keys(doc.catalog);
    if (!ms.length) return null;
    const m = pick(ms);
    const actions = actionsOf(doc.catalog[m]!);
    const i = actions.push(actions[0]!) - 1;
    const at = Array.isArray(doc.catalog[m]) ? `catalog.${m}[${i}]` : `catalog.${m}.actions[${i}]`;
    return { path: at, message: new RegExp(`permission "${m}.${actions[0]}" is declared twice`) };
  },
};

describe('R1 R2 issue 12: preset documents by property', () => {
  it('R1 R2 every random valid document parses, and its preset survives the trip back', () => {
    fc.assert(
      fc.property(validDocument, (doc) => {
        const preset = parsePresetDocument(doc);
        expect(preset.roles.map((r) => r.key)).toEqual(Object.keys(doc.roles));
        const again = parsePresetDocument(JSON.parse(JSON.stringify(presetDocument(preset))));
        expect(again).toEqual(preset);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(Object.keys(MUTATIONS))(
    'R1 R2 a valid document with %s is refused at that path',
    (name) => {
      const mutate = MUTATIONS[name]!;
      fc.assert(
        fc.property(validDocument, fc.infiniteStream(fc.nat()), (valid, picks) => {
          const doc = structuredClone(valid);
          const it = picks[Symbol.iterator]();
          const pick = <T>(items: readonly T[]): T => items[it.next().value! % items.length]!;
          const mistake = mutate(doc, pick);
          fc.pre(mistake !== null);
          let error: unknown;
          try {
            parsePresetDocument(doc);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(PresetError);
          const issues = (error as PresetError).issues.filter((i) => i.path === mistake!.path);
          expect(
            issues.map((i) => i.message),
            JSON.stringify((error as PresetError).issues),
          ).toEqual(expect.arrayContaining([expect.stringMatching(mistake!.message)]));
        }),
        { numRuns: 100 },
      );
    },
  );
});

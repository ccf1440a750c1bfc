/**
 * PATCH of one User (RFC 7644 §3.5.2), applied to that user's document in memory and then
 * validated like a PUT. Handles what Entra ID sends (capitalized ops, `"True"`/`"False"`,
 * `manager` as a bare id, `null` to clear, `emails[type eq "work"].value` on a user without a
 * work email, which creates it) and what Okta sends (`replace` with no path and an object).
 */
import type { FilterNode } from '@gatehouse/domain';
import { type AttrDef, resolvePath } from '@gatehouse/domain';
import { scimError } from '../errors.js';
import { caseless, matchElement } from '../filter/match.js';
import { schemas } from '../schema.js';
import { normalizeValue } from '../user-doc.js';
import { type PatchOperation, parsePath } from './operations.js';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function deleteKey(obj: Obj, name: string): void {
  for (const k of Object.keys(obj)) if (k.toLowerCase() === name.toLowerCase()) delete obj[k];
}

/** `{type: "work"}` from `type eq "work"` (and `and` chains of `eq`), to create a missing element. */
function seedOf(filter: FilterNode, attr: AttrDef): Obj | null {
  if (filter.kind === 'and') {
    const a = seedOf(filter.left, attr);
    const b = seedOf(filter.right, attr);
    return a && b ? { ...a, ...b } : null;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return null;
  const sub = attr.sub.find((s) => s.name.toLowerCase() === filter.path.toLowerCase());
  return sub ? { [sub.name]: filter.value } : null;
}

function sameElement(a: unknown, b: unknown, attr: AttrDef): boolean {
  if (isObject(a) && isObject(b) && 'value' in a && 'value' in b) {
    const ce = attr.sub.find((s) => s.name === 'value')?.caseExact ?? false;
    const x = String(a.value);
    const y = String(b.value);
    return ce ? x === y : x.toLowerCase() === y.toLowerCase();
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** RFC 7643 §2.4: at most one `primary: true`; the one written last wins. */
function onePrimary(list: unknown[], winner?: unknown): void {
  const primaries = list.filter((el) => isObject(el) && el.primary === true);
  if (primaries.length < 2) return;
  const keep = winner && primaries.includes(winner) ? winner : primaries[primaries.length - 1];
  for (const el of primaries) if (el !== keep) (el as Obj).primary = false;
}

function mutability(path: string): never {
  throw scimError(400, 'mutability', `"${path}" is read-only`);
}

function applyOne(
  doc: Obj,
  op: PatchOperation['op'],
  path: string,
  value: unknown,
  hasValue: boolean,
): void {
  const schema = schemas().User;
  const p = parsePath(path);
  const r = resolvePath(schema, p.attrPath, 'invalidPath');
  const clearing = op === 'remove' || (hasValue && value === null);
  if (!r.attr) {
    if (clearing) {
      delete doc[r.ext!];
      return;
    }
    if (!isObject(value)) throw scimError(400, 'invalidValue', `"${path}" takes an object`);
    for (const [k, v] of Object.entries(value)) applyOne(doc, op, `${r.ext}:${k}`, v, true);
    return;
  }
  const attr = r.attr;
  if (attr.name === 'schemas' && !r.ext) return;
  if (attr.returned === 'never') return; // password: never stored (changePassword is false)
  if (['id', 'meta'].includes(attr.name) && !r.ext) mutability(path);
  if (!attr.mutable) mutability(path);
  if (!clearing && !hasValue) {
    throw scimError(400, 'invalidValue', `${op} of "${path}" needs a value`);
  }
  let container: Obj | undefined = doc;
  if (r.ext) {
    if (!isObject(doc[r.ext])) {
      if (clearing) return;
      doc[r.ext] = {};
    }
    container = doc[r.ext] as Obj;
  }
  const key = attr.name;
  const done = () => {
    if (Array.isArray(container[key]) && (container[key] as unknown[]).length === 0)
      delete container[key];
    if (r.ext && Object.keys(container).length === 0) delete doc[r.ext];
  };

  if (p.filter) {
    if (!attr.multiValued || r.sub) {
      throw scimError(400, 'invalidPath', `"${path}": a filter needs a multi-valued attribute`);
    }
    const sub = p.subAttr
      ? attr.sub.find((s) => s.name.toLowerCase() === p.subAttr!.toLowerCase())
      : null;
    if (p.subAttr && !sub)
      throw scimError(400, 'invalidPath', `"${attr.name}" has no "${p.subAttr}"`);
    const list = asList(container[key]);
    const matched = list.filter((el) => matchElement(p.filter!, el, attr));
    if (clearing) {
      if (sub) for (const el of matched) if (isObject(el)) deleteKey(el, sub.name);
      container[key] = sub ? list : list.filter((el) => !matched.includes(el));
      done();
      return;
    }
    let targets = matched;
    if (targets.length === 0) {
      const seed = seedOf(p.filter, attr);
      if (!seed) throw scimError(400, 'noTarget', `no value of "${attr.name}" matches "${path}"`);
      targets = [seed];
      list.push(seed);
    }
    for (const el of targets) {
      if (!isObject(el)) continue;
      if (sub) el[sub.name] = normalizeValue(sub, value);
      else if (isObject(value)) Object.assign(el, normalizeValue(attr, value, true) as Obj);
      else throw scimError(400, 'invalidValue', `"${path}" takes an object`);
    }
    container[key] = list;
    onePrimary(list, targets[targets.length - 1]);
    return;
  }

  const sub = r.sub;
  if (sub) {
    if (attr.multiValued) {
      for (const el of asList(container[key])) {
        if (!isObject(el)) continue;
        if (clearing) deleteKey(el, sub.name);
        else el[sub.name] = normalizeValue(sub, value);
      }
      return;
    }
    const cur = caseless(container, key);
    if (clearing) {
      if (isObject(cur)) {
        deleteKey(cur, sub.name);
        if (Object.keys(cur).length === 0) delete container[key];
      }
      done();
      return;
    }
    const obj = isObject(cur) ? cur : {};
    obj[sub.name] = normalizeValue(sub, value);
    container[key] = obj;
    return;
  }

  if (clearing) {
    if (op === 'remove' && attr.multiValued && hasValue && value !== null) {
      const drop = asList(normalizeValue(attr, value));
      container[key] = asList(container[key]).filter(
        (el) => !drop.some((d) => sameElement(d, el, attr)),
      );
    } else {
      deleteKey(container, key);
    }
    done();
    return;
  }
  const v = normalizeValue(attr, value);
  if (attr.multiValued) {
    const incoming = asList(v);
    if (op === 'replace') {
      container[key] = incoming;
    } else {
      const cur = asList(container[key]);
      for (const el of incoming) if (!cur.some((c) => sameElement(el, c, attr))) cur.push(el);
      container[key] = cur;
    }
    onePrimary(
      container[key] as unknown[],
      incoming.find((el) => isObject(el) && el.primary === true),
    );
    done();
    return;
  }
  if (attr.type === 'complex') {
    if (!isObject(v)) throw scimError(400, 'invalidValue', `"${path}" takes an object`);
    const cur = caseless(container, key);
    const merged: Obj = { ...(isObject(cur) ? cur : {}) };
    for (const [k, x] of Object.entries(v)) {
      if (x === null) deleteKey(merged, k);
      else merged[k] = x;
    }
    container[key] = merged;
    return;
  }
  container[key] = v;
}

/** Applies PATCH operations to a copy of `working` and returns it (validate it afterwards). */
export function applyUserPatch(working: Obj, ops: readonly PatchOperation[]): Obj {
  const doc = structuredClone(working);
  const extensions = [...schemas().User.extensions.keys()];
  for (const o of ops) {
    if (o.path !== undefined) {
      applyOne(doc, o.op, o.path, o.value, o.hasValue);
      continue;
    }
    if (!isObject(o.value)) {
      throw scimError(400, 'invalidValue', `${o.op} without a path needs an object of attributes`);
    }
    for (const [k, v] of Object.entries(o.value)) {
      const lk = k.toLowerCase();
      if (lk === 'schemas' || lk === 'id' || lk === 'meta') continue;
      const ext = extensions.find((u) => u.toLowerCase() === lk);
      if (ext && v !== null) {
        if (!isObject(v)) throw scimError(400, 'invalidValue', `"${k}" takes an object`);
        for (const [k2, v2] of Object.entries(v)) applyOne(doc, o.op, `${ext}:${k2}`, v2, true);
        continue;
      }
      applyOne(doc, o.op, k, v, true);
    }
  }
  return doc;
}

/**
 * PATCH of one Group (RFC 7644 §3.5.2) turned into set-based changes, so a group of 10k members
 * is patched without loading its members: `add members` inserts, `remove members[value eq "…"]`
 * and `remove members` + value delete by id, other `members[...]` filters become SQL over the
 * member rows (the domain's `memberCondition`), `replace members` (Okta) swaps the set in SQL.
 */
import { type FilterNode, type GroupChange, memberCondition, resolvePath } from '@gatehouse/domain';
import { scimError } from '../errors.js';
import { schemas } from '../schema.js';
import { type PatchOperation, parsePath } from './operations.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Member ids from a `members` value: `[{value}]`, `{value}` or a bare id. */
export function memberIds(value: unknown): string[] {
  // Some clients wrap the list: { "members": [{ "value": "…" }] }.
  if (isObject(value) && !('value' in value)) {
    const key = Object.keys(value).find((k) => k.toLowerCase() === 'members');
    if (key) return memberIds(value[key]);
  }
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((el, i) => {
    const id = typeof el === 'string' ? el : isObject(el) ? el.value : undefined;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200) {
      throw scimError(400, 'invalidValue', `members[${i}] needs a "value" holding a user id`);
    }
    return id.trim();
  });
}

/** `value eq "a" or value eq "b"` → ["a", "b"]; null for any other filter. */
function valueEqualities(f: FilterNode): string[] | null {
  if (f.kind === 'or') {
    const a = valueEqualities(f.left);
    const b = valueEqualities(f.right);
    return a && b ? [...a, ...b] : null;
  }
  if (
    f.kind === 'compare' &&
    f.op === 'eq' &&
    typeof f.value === 'string' &&
    ['value', 'members.value'].includes(f.path.toLowerCase())
  ) {
    return [f.value];
  }
  return null;
}

function one(
  out: GroupChange[],
  op: PatchOperation['op'],
  path: string,
  value: unknown,
  hasValue: boolean,
) {
  const p = parsePath(path);
  const r = resolvePath(schemas().Group, p.attrPath, 'invalidPath');
  const attr = r.attr?.name;
  const clearing = op === 'remove' || (hasValue && value === null);
  if ((p.filter || r.sub) && attr !== 'members') {
    throw scimError(400, 'invalidPath', `"${path}" is not a path this server can change`);
  }
  switch (attr) {
    case 'displayName':
      if (clearing) throw scimError(400, 'invalidValue', 'displayName is required');
      if (typeof value !== 'string')
        throw scimError(400, 'invalidValue', 'displayName is a string');
      out.push({ kind: 'rename', displayName: value });
      return;
    case 'externalId':
      if (!clearing && typeof value !== 'string') {
        throw scimError(400, 'invalidValue', 'externalId is a string');
      }
      if (!clearing && (value as string).length > 256) {
        throw scimError(400, 'invalidValue', 'externalId is longer than 256 characters');
      }
      out.push({
        kind: 'externalId',
        externalId: clearing || value === '' ? null : (value as string),
      });
      return;
    case 'members': {
      if (r.sub || p.subAttr) {
        throw scimError(400, 'mutability', `"${path}": member sub-attributes are read-only`);
      }
      if (p.filter) {
        if (op !== 'remove') {
          throw scimError(400, 'invalidPath', `${op} on "${path}": add members by value instead`);
        }
        const ids = valueEqualities(p.filter);
        out.push(
          ids
            ? { kind: 'removeMembers', userIds: ids }
            : {
                kind: 'removeMembersWhere',
                where: memberCondition(schemas().Group, p.filter),
              },
        );
        return;
      }
      if (op === 'add') out.push({ kind: 'addMembers', userIds: memberIds(value) });
      else if (op === 'replace')
        out.push({ kind: 'replaceMembers', userIds: clearing ? [] : memberIds(value) });
      else if (hasValue && value !== null)
        out.push({ kind: 'removeMembers', userIds: memberIds(value) });
      else out.push({ kind: 'replaceMembers', userIds: [] });
      return;
    }
    case 'id':
    case 'meta':
      throw scimError(400, 'mutability', `"${path}" is read-only`);
    case 'schemas':
      return;
    default:
      throw scimError(400, 'invalidPath', `"${path}" is not a path this server can change`);
  }
}

/** The changes a Group PatchOp asks for, in order. */
export function groupChanges(ops: readonly PatchOperation[]): GroupChange[] {
  const out: GroupChange[] = [];
  for (const o of ops) {
    if (o.path !== undefined) {
      one(out, o.op, o.path, o.value, o.hasValue);
      continue;
    }
    if (!isObject(o.value)) {
      throw scimError(400, 'invalidValue', `${o.op} without a path needs an object of attributes`);
    }
    for (const [k, v] of Object.entries(o.value)) {
      const lk = k.toLowerCase();
      if (lk === 'schemas' || lk === 'id' || lk === 'meta') continue;
      one(out, o.op, k, v, true);
    }
  }
  return out;
}

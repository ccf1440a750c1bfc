/**
 * PATCH (RFC 7644 §3.5.2): a User is patched as one document in memory and written like a PUT
 * (retried on a concurrent change unless `If-Match` pins the version); a Group is patched with
 * set-based changes, so a group of 10k members is never loaded (S3).
 */
import {
  changeDirectoryGroup,
  type DirectoryConflict,
  type DirectoryUser,
  DomainError,
  getDirectoryGroup,
  getDirectoryUser,
  replaceDirectoryUser,
} from '@gatehouse/domain';
import type { Router } from 'express';
import { precondition, queryProjection, type ScimContext, setRevision } from '../context.js';
import { scimError } from '../errors.js';
import { readGroup } from '../groups.js';
import { groupChanges } from '../patch/group-patch.js';
import { readPatch } from '../patch/operations.js';
import { applyUserPatch } from '../patch/user-patch.js';
import { coerceUser, normalizeUserBody, patchableUser, toDirectoryInput } from '../user-doc.js';
import { renderOne } from '../users.js';
import { handle } from './handle.js';
import { metaOf, type Operation, type Outcome, sendOutcome } from './outcome.js';

function isVersionConflict(e: unknown): boolean {
  return (
    e instanceof DomainError &&
    (e.details as DirectoryConflict | undefined)?.reason === 'version_mismatch'
  );
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );

/** The outcome of a patched (or unchanged) user, projected as `ctx.query` asks. */
async function userOutcome(ctx: ScimContext, u: DirectoryUser): Promise<Outcome> {
  const body = await renderOne(ctx, u, queryProjection(ctx));
  return { status: 200, body, ...metaOf(body) };
}

/** PATCH /Users/{id}: the patched user (200). */
export const patchUser: Operation = async (ctx, { id: rawId, body }) => {
  const id = String(rawId);
  const ops = readPatch(body);
  for (let attempt = 0; ; attempt++) {
    const cur = await getDirectoryUser(ctx, { userId: id });
    if (!cur) throw scimError(404, null, `user ${id} not found`);
    precondition(ctx, cur.version);
    const patched = applyUserPatch(patchableUser(cur), ops);
    const input = toDirectoryInput(coerceUser(normalizeUserBody(patched)), cur.active);
    const unchanged =
      input.userName === cur.userName &&
      input.externalId === cur.externalId &&
      input.active === cur.active &&
      stable(input.doc) === stable(cur.doc);
    if (unchanged) {
      // Entra re-sends values it already provisioned: no write, no new revision.
      return userOutcome(ctx, cur);
    }
    try {
      const { result, revision } = await replaceDirectoryUser(ctx, {
        userId: id,
        input,
        ifVersion: cur.version,
      });
      setRevision(ctx, revision);
      return userOutcome(ctx, result);
    } catch (e) {
      // Changed between our read and the write: re-apply on the new version (unless If-Match).
      if (!isVersionConflict(e) || ctx.ifMatch !== undefined || attempt >= 2) throw e;
    }
  }
};

/** PATCH /Groups/{id}: 204, or the group (200) when the query asks for a projection. */
export const patchGroup: Operation = async (ctx, { id: rawId, body }) => {
  const id = String(rawId);
  const changes = groupChanges(readPatch(body));
  let ifVersion: string | undefined;
  if (ctx.ifMatch !== undefined) {
    const cur = await getDirectoryGroup(ctx, { groupId: id });
    if (!cur) throw scimError(404, null, `group ${id} not found`);
    ifVersion = precondition(ctx, cur.version);
  }
  const { result, revision } = await changeDirectoryGroup(ctx, {
    groupId: id,
    changes,
    ifVersion,
  });
  setRevision(ctx, revision);
  const projection = queryProjection(ctx);
  if (!projection.attributes && !projection.excludedAttributes) {
    // RFC 7644 §3.5.2: 204 is allowed, and spares listing 10k members back.
    return { status: 204, version: `W/"${result.version}"`, location: `${ctx.base}/Groups/${id}` };
  }
  const group = (await readGroup(ctx, id, projection))!;
  return { status: 200, body: group, version: `W/"${result.version}"`, ...metaOf(group) };
};

/** Adds the PATCH routes to `r`. */
export function patchRoutes(r: Router): void {
  for (const [path, op] of [
    ['/Users/:id', patchUser],
    ['/Groups/:id', patchGroup],
  ] as const) {
    r.patch(
      path,
      handle(async (req, res, ctx) =>
        sendOutcome(res, await op(ctx, { id: String(req.params.id), body: req.body })),
      ),
    );
  }
}

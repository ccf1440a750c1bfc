/**
 * Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes(/:id)` and `/Schemas(/:id)`,
 * rendered by SCIMMY from its configuration and the declared resources and schemas
 * (`../schema.ts`), with `meta.location` under this request's own origin. Also the endpoint
 * this server does not implement: `/Me` (501).
 */
import type { Request, Router } from 'express';
import SCIMMY from 'scimmy';
import { scimError, writeJson } from '../errors.js';
import { declareResources } from '../schema.js';
import { MAX_BULK_OPERATIONS } from './bulk.js';
import { handle, notImplemented } from './handle.js';
import { pathId } from './resource.js';

/** Query parameters that make SCIMMY refuse a ServiceProviderConfig request. */
const PAGING = ['sortBy', 'sortOrder', 'startIndex', 'count'];

/** The base of discovery documents' `meta.location`: this request's origin and mount path. */
function requestBase(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

/** A ResourceType document (RFC 7643 §6) for a declared resource. */
function resourceType(resource: typeof SCIMMY.Types.Resource, base: string) {
  return new SCIMMY.Schemas.ResourceType(resource.describe(), `${base}/ResourceTypes`);
}

/**
 * Adds the discovery routes, and the 501 of `/Me`, to `r`. `maxPayloadSize` is the body limit
 * this handler enforces, advertised as `bulk.maxPayloadSize`.
 */
export function discoveryRoutes(r: Router, { maxPayloadSize }: { maxPayloadSize: number }): void {
  declareResources();
  r.get(
    '/ServiceProviderConfig',
    handle(async (req, res, ctx) => {
      if (PAGING.some((k) => k in ctx.query)) {
        throw scimError(403, null, 'ServiceProviderConfig does not support retrieval by filter');
      }
      const base = `${requestBase(req)}/ServiceProviderConfig`;
      const config = {
        ...SCIMMY.Config.get(),
        bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize },
      };
      writeJson(res, 200, new SCIMMY.Schemas.ServiceProviderConfig(config, base));
    }),
  );
  r.get(
    '/ResourceTypes',
    handle(async (req, res) => {
      const base = requestBase(req);
      const all = Object.values(SCIMMY.Resources.declared()) as (typeof SCIMMY.Types.Resource)[];
      writeJson(res, 200, new SCIMMY.Messages.ListResponse(all.map((R) => resourceType(R, base))));
    }),
  );
  r.get(
    '/ResourceTypes/:id',
    handle(async (req, res) => {
      const id = pathId(req);
      const resource = SCIMMY.Resources.declared(id) as typeof SCIMMY.Types.Resource | undefined;
      if (!resource) throw scimError(404, null, `ResourceType ${id} not found`);
      writeJson(res, 200, resourceType(resource, requestBase(req)));
    }),
  );
  r.get(
    '/Schemas',
    handle(async (req, res) => {
      const base = `${requestBase(req)}/Schemas`;
      const all = SCIMMY.Schemas.declared().map((d) => d.describe(base));
      writeJson(res, 200, new SCIMMY.Messages.ListResponse(all));
    }),
  );
  r.get(
    '/Schemas/:id',
    handle(async (req, res) => {
      const id = pathId(req);
      const definition = SCIMMY.Schemas.declared(id) as SCIMMY.Types.SchemaDefinition | undefined;
      if (!definition) throw scimError(404, null, `Schema ${id} not found`);
      writeJson(res, 200, definition.describe(`${requestBase(req)}/Schemas`));
    }),
  );
  r.all('/Me', notImplemented);
}

/**
 * Every SCIM route, served by Gatehouse itself (mounted inside the SCIM router, after
 * authentication and body parsing): lists and searches, PATCH, single Users and Groups,
 * `/Bulk`, discovery, and the 404 of anything else. The order keeps each path's first match:
 * `.search` and PATCH before the `/:id` routes, body checks before POST and PUT.
 */
import { Router } from 'express';
import { bulkRoutes } from './routes/bulk.js';
import { discoveryRoutes } from './routes/discovery.js';
import { groupRoutes } from './routes/groups.js';
import { endpointNotFound } from './routes/handle.js';
import { listRoutes } from './routes/lists.js';
import { patchRoutes } from './routes/patch.js';
import { userRoutes } from './routes/users.js';
import { checkWriteBody } from './routes/write-body.js';

/** The SCIM routes, ending with a 404 for unknown endpoints. */
export function scimRoutes(limits: { maxPayloadSize: number }): Router {
  const r = Router();
  discoveryRoutes(r, limits);
  bulkRoutes(r);
  listRoutes(r);
  patchRoutes(r);
  r.use(['/Users', '/Groups'], checkWriteBody);
  r.all(['/Users/.search', '/Groups/.search'], endpointNotFound);
  userRoutes(r);
  groupRoutes(r);
  r.use(endpointNotFound);
  return r;
}

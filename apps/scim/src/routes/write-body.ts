/**
 * Checks of a POST or PUT body under `/Users` and `/Groups` before any route reads it: RFC 7643
 * §3 `schemas`, when sent, is an array of URNs (SCIMMY ignores a Group's string); a User body is
 * normalized for what identity providers send (`../user-doc.ts`) before SCIMMY validates it.
 */
import type { NextFunction, Request, Response } from 'express';
import { scimError } from '../errors.js';
import { normalizeUserBody } from '../user-doc.js';

function checkSchemas(body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('schemas' in body)) return;
  const list = (body as { schemas: unknown }).schemas;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
    throw scimError(400, 'invalidSyntax', '"schemas" is an array of schema URNs');
  }
}

/** The checks above on the POST or PUT body of a User or Group (also used by `/Bulk`). */
export function checkedWriteBody(type: 'User' | 'Group', body: unknown): unknown {
  checkSchemas(body);
  return type === 'User' ? normalizeUserBody(body) : body;
}

/** Middleware for `['/Users', '/Groups']`: the checks above on POST and PUT bodies. */
export function checkWriteBody(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'POST' || req.method === 'PUT') {
    req.body = checkedWriteBody(/\/users$/i.test(req.baseUrl) ? 'User' : 'Group', req.body);
  }
  next();
}

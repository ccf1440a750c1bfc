/**
 * What every use case is called with (`(call, input)`): the shared services and who is calling,
 * plus, for everything inside one organization, the org it acts in. Built once per request by the
 * API's `orgProcedure` and the SCIM app, so nothing re-passes `orgId` or positional arguments.
 */
import type { Caller } from './context.js';
import type { Services } from './services.js';

/** A call outside any one org (instance-wide use cases: creating an org, logging in). */
export interface Call {
  readonly services: Services;
  readonly caller: Caller;
}

/** A call inside one organization: tenant isolation and every check are relative to `orgId`. */
export interface OrgCall extends Call {
  readonly orgId: string;
}

/** The call for `orgId` made by the same caller over the same services. */
export function inOrg(call: Call, orgId: string): OrgCall {
  return { services: call.services, caller: call.caller, orgId };
}

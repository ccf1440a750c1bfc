/** @gatehouse/sdk — the typed Gatehouse client (X1) and local checks (C7). */
import type { AppRouter } from '@gatehouse/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export { TRPCClientError } from '@trpc/client';
export { createGatehouse, type Gatehouse, type GatehouseOptions } from './client.js';
export { LocalChecker } from './local.js';
export type { AppRouter };
/** Inputs of every procedure: `RouterInputs['authz']['check']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `RouterOutputs['members']['add']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** @gatehouse/api — tRPC routers, auth and the Express handler. */
export { type ApiOptions, createApiHandler } from './app.js';
export {
  AUDIT_CSV_COLUMNS,
  createAuditExportHandler,
  csvField,
  csvRecord,
} from './audit-export.js';
export { type AuthOptions, ON_BEHALF_OF_HEADER, REQUEST_ID_HEADER, resolveCaller } from './auth.js';
export { type ApiFrontOptions, createApiFront } from './front.js';
export { type ProcedureInput, procedureInputs } from './procedure-inputs.js';
export { type AppRouter, appRouter } from './root.js';
export {
  type ApiContext,
  type ApiErrorData,
  type ApiErrorShape,
  type InputErrors,
  toTRPCError,
} from './trpc.js';

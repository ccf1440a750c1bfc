/** Invitations by email and their acceptance (M1–M3). */
export {
  type AcceptedInvitation,
  type AcceptInvitationInput,
  acceptInvitation,
} from './accept.js';
export * from './email.js';
export { type InvitationPreview, inspectInvitation } from './inspect.js';
export * from './invite.js';
export * from './list.js';
export * from './resend.js';
export * from './revoke.js';
export * from './rows.js';
export * from './send-email.js';

/** Invitations by email and their acceptance (M1–M3). */
export * from './accept.js';
export * from './email.js';
export * from './invite.js';
export * from './list.js';
export * from './resend.js';
export * from './revoke.js';
export * from './rows.js';
export * from './send-email.js';

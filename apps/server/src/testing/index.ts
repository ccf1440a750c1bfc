/** Test helpers of the server (`@gatehouse/server/testing`): a real SMTP inbox on loopback. */
export { decodeQuotedPrintable, type Inbox, type Received, startInbox } from './inbox.js';

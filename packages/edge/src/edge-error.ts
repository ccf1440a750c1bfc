/** The one error type the edge guards throw: an HTTP status and a message written for callers. */

/** Why the edge refused a request. */
export type EdgeReason =
  | 'too_large'
  | 'too_deep'
  | 'malformed'
  | 'unsupported_media_type'
  | 'unstorable'
  | 'aborted';

/** A request refused at the edge; `message` is safe to send to the caller as is. */
export class EdgeError extends Error {
  override name = 'EdgeError';
  constructor(
    readonly status: 400 | 413 | 415,
    readonly reason: EdgeReason,
    message: string,
  ) {
    super(message);
  }
}

/** Audits and events list at most this many ids in full; beyond it, a count and the first ones. */
const MAX_LISTED = 1000;

/** The ids an audit entry or event lists: all of them, or a count and the first 1,000. */
export const listed = (ids: readonly string[]) =>
  ids.length > MAX_LISTED
    ? { count: ids.length, memberIds: ids.slice(0, MAX_LISTED) }
    : { memberIds: ids };

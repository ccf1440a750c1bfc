/**
 * Opaque ids for unexpected errors of the tRPC API: the error formatter (which answers the
 * caller) and `onError` (which logs) see the same error object, and both ask it for its id here.
 */
import { newErrorId } from '@gatehouse/edge';

const ids = new WeakMap<object, string>();

/** The id of an unexpected error, made on first asking and the same afterwards. */
export function errorIdOf(error: object): string {
  let id = ids.get(error);
  if (!id) {
    id = newErrorId();
    ids.set(error, id);
  }
  return id;
}

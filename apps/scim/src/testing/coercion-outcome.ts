/**
 * For the fast path's property tests (`../coerce/inbound.test.ts`, `../coerce/outbound.test.ts`):
 * what a coercion gave, as text to compare with SCIMMY's: its JSON (key order included), or its
 * error's words.
 */
import SCIMMY from 'scimmy';

/** The JSON text of `run()`'s result, or of the SCIM error (status, scimType, detail) it threw. */
export function outcome(run: () => unknown): string {
  try {
    return JSON.stringify({ ok: run() });
  } catch (e) {
    if (e instanceof SCIMMY.Types.Error) {
      return JSON.stringify({ status: e.status, scimType: e.scimType, detail: e.message });
    }
    return JSON.stringify({ thrown: (e as Error).constructor.name, message: (e as Error).message });
  }
}

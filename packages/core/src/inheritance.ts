/**
 * How roles inherit down the scope tree, per slot (T3, seed 004 "None" falls back to the
 * parent; issue 12).
 *
 * - `additive` (the default, and always for roles without a slot): a role held at a scope holds
 *   at every scope below it, and stacks with whatever the subject holds there.
 * - `override`: in that slot, the NEAREST assignment wins. For a subject S, a scope X and an
 *   override slot L, take S's assignments in slot L — its own and those of its active groups,
 *   skipped (unsound) ones excluded — placed at X or above. Only those at the nearest such scope
 *   (X itself first, then its parent, …) apply in slot L at X; farther ones in slot L do not.
 *   None: nothing from slot L ("None" at a sub-organization inherits the parent's role).
 *   - Several assignments at that nearest scope (own and through groups, or in different
 *     environments) are united, as roles at one scope always are.
 *   - Own and group assignments compete on equal terms: the nearest scope across all of them
 *     wins, wherever each came from.
 *   - Environments (T5): an assignment replaces farther ones only in the checks it takes part
 *     in. A check in `live` looks at the slot's assignments for both environments or for live
 *     (a sandbox-only one neither grants nor overrides there); a check without an environment
 *     asks what holds in both, so any assignment of the slot takes part, but only those for
 *     both environments grant. So a live-only role at a sub-organization replaces the
 *     organization's role of its slot in live checks, keeps it in sandbox checks, and checks
 *     without an environment see neither.
 *
 * Roles in additive slots and add-ons are untouched by override slots and vice versa: the
 * effective permissions at X are the union of every additive grant at X and above and, per
 * override slot, the grants of its nearest assignments.
 */
import type { Environment } from './snapshot.js';

/** How roles of one slot inherit down the scope tree: stack (`additive`) or nearest wins. */
export type SlotInheritance = 'additive' | 'override';

/** Inheritance per slot name; a slot not named is additive. */
export type InheritanceMap = Readonly<Record<string, SlotInheritance>>;

/**
 * The slots of `inheritance` that are `override`, for the roles in `roles`: role key → slot.
 * Empty when every slot is additive (then no check pays anything for the option).
 */
export function overrideSlotsOf(
  roles: ReadonlyArray<{ readonly key: string; readonly slot: string | null }>,
  inheritance: InheritanceMap | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  if (!inheritance) return out;
  for (const role of roles) {
    if (role.slot !== null && Object.hasOwn(inheritance, role.slot)) {
      if (inheritance[role.slot] === 'override') out.set(role.key, role.slot);
    }
  }
  return out;
}

/**
 * True when an assignment for `assigned` takes part in a check in `asked` in an override slot,
 * and so replaces farther ones of its slot there: any assignment for a check without an
 * environment (it asks what holds in both), else one for both environments or for that one.
 */
export function takesPart(
  assigned: Environment | null,
  asked: Environment | null | undefined,
): boolean {
  return asked == null || assigned === null || assigned === asked;
}

/** True when two inheritance maps say the same of every slot (absent and additive alike). */
export function sameInheritance(a: InheritanceMap | undefined, b: InheritanceMap | undefined) {
  if (a === b) return true;
  const overrides = (m: InheritanceMap | undefined) =>
    Object.keys(m ?? {})
      .filter((k) => m![k] === 'override')
      .sort()
      .join('\u0000');
  return overrides(a) === overrides(b);
}

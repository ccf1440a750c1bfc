/**
 * Per-subject tables by slot. Every subject id an index knows has a slot in one `slotOf` map,
 * shared by a full build and every index derived from it and only ever appended to; each table
 * (records, own assignments, groups, members) is chunked by slot (./slot-chunks.ts) and reads like
 * a Map. A derived index copies only the chunks a write changes. An id another index appended has
 * a slot beyond this index's chunks (or an empty one), so here it reads as unknown. A removed
 * subject keeps its slot, empty.
 */
import type { SlotChunks } from './slot-chunks.js';

/** One per-subject table: values by subject id, through the shared `slotOf`. */
export class SubjectTable<V> {
  constructor(
    readonly slotOf: ReadonlyMap<string, number>,
    /** Values by slot; written only while the owning index is being built or derived. */
    readonly slots: SlotChunks<V>,
  ) {}

  /** The value of a subject id, or undefined. */
  get(id: string): V | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.slots.get(slot);
  }

  /** True when the subject id has a value. */
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Appends `value` to the list of the subject at `slot` (while the index is built). */
  pushAt<E>(this: SubjectTable<E[]>, slot: number, value: E): void {
    const list = this.slots.get(slot);
    if (list) list.push(value);
    else this.slots.set(slot, [value]);
  }
}

/**
 * A table being derived: it shares the previous table's chunks and copies those it changes.
 * `slotOf` is the derived index's (a superset of the previous one's).
 */
export class ValueDraft<V> {
  private slots: SlotChunks<V> | undefined;

  constructor(
    private readonly slotOf: ReadonlyMap<string, number>,
    private readonly previous: SubjectTable<V>,
  ) {}

  /** Sets a subject's value, or clears it when undefined. */
  put(id: string, value: V | undefined): void {
    const slot = this.slotOf.get(id);
    const slots = this.slots ?? this.previous.slots;
    if (slot === undefined || (value === undefined && slots.get(slot) === undefined)) return;
    this.slots ??= this.previous.slots.fork();
    this.slots.set(slot, value);
  }

  /** The derived table. */
  done(): SubjectTable<V> {
    return this.slots ? new SubjectTable(this.slotOf, this.slots) : this.previous;
  }
}

/** A table of lists being derived: an empty list is no entry (as in a full build). */
export class TableDraft<V> extends ValueDraft<V[]> {
  /** Sets a subject's list, or clears it when missing or empty. */
  override put(id: string, list: V[] | undefined): void {
    super.put(id, list === undefined || list.length === 0 ? undefined : list);
  }
}

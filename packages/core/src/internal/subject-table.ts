/**
 * Per-subject tables by slot. Every subject id an index knows has a slot in one `slotOf` map,
 * shared by a full build and every index derived from it and only ever appended to; each table
 * (records, own assignments, groups, members) is an array by slot and reads like a Map. A derived
 * index copies only the arrays a write changes (copying 100k pointers costs a fraction of
 * re-inserting 100k Map entries). An id another index appended has a slot beyond this index's
 * arrays (or an empty one), so here it reads as unknown. A removed subject keeps its slot, empty.
 */
export class SubjectTable<V> {
  constructor(
    readonly slotOf: ReadonlyMap<string, number>,
    /** Values by slot; written only while the owning index is being built or derived. */
    readonly values: Array<V | undefined>,
  ) {}

  /** The value of a subject id, or undefined. */
  get(id: string): V | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.values[slot];
  }

  /** True when the subject id has a value. */
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }
}

/** Appends `value` to the list at `slot`. */
export function pushAt<V>(values: Array<V[] | undefined>, slot: number, value: V): void {
  const list = values[slot];
  if (list) list.push(value);
  else values[slot] = [value];
}

/**
 * A table being derived: it shares the previous table's array until the first real change, then
 * copies it once. `slotOf` is the derived index's (a superset of the previous one's).
 */
export class TableDraft<V> {
  private values: Array<V[] | undefined>;
  private copied = false;

  constructor(
    private readonly slotOf: ReadonlyMap<string, number>,
    previous: SubjectTable<V[]>,
  ) {
    this.values = previous.values;
  }

  /** Sets a subject's list, or clears it when missing or empty (as a full build has no entry). */
  put(id: string, list: V[] | undefined): void {
    const slot = this.slotOf.get(id);
    const empty = list === undefined || list.length === 0;
    if (slot === undefined || (empty && this.values[slot] === undefined)) return;
    if (!this.copied) {
      this.values = this.values.slice();
      this.copied = true;
    }
    this.values[slot] = empty ? undefined : list;
  }

  /** The derived table. */
  done(): SubjectTable<V[]> {
    return new SubjectTable(this.slotOf, this.values);
  }
}

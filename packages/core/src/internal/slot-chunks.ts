/**
 * Per-slot arrays in fixed-size chunks, copied on write (issue 15: a derive costs what changed).
 * An index derived from another shares its chunks and copies only the list of chunks (one
 * pointer per 4,096 slots) and the chunks it writes, where a flat array would be copied whole on
 * every write: at 100k subjects that copy, and the garbage it left, was most of a derive.
 *
 * A chunk is written only by the index that made or copied it, while that index is built or
 * derived; afterwards nothing writes it, so every index keeps its answers. Slots past what an
 * index knows read as undefined (in a code chunk: -1 or undefined, see `CodeChunks`).
 */

/** Slots per chunk (a power of two). */
const BITS = 12;
const SIZE = 1 << BITS;
const LOW = SIZE - 1;

/** Values by slot (records, and the per-subject lists), read like an array. */
export class SlotChunks<V> {
  /** Chunks this table may write (made or copied by it); null: all of them (being built). */
  private owned: Set<number> | null;

  private constructor(
    private chunks: Array<Array<V | undefined>>,
    owned: Set<number> | null,
  ) {
    this.owned = owned;
  }

  /** A table being built, with room for `count` slots, all empty. */
  static sized<V>(count: number): SlotChunks<V> {
    const chunks: Array<Array<V | undefined>> = [];
    for (let i = 0; i < count; i += SIZE) chunks.push(new Array(Math.min(SIZE, count - i)));
    return new SlotChunks(chunks, null);
  }

  /** A table being built, holding `values` (copied). */
  static of<V>(values: ReadonlyArray<V | undefined>): SlotChunks<V> {
    const chunks: Array<Array<V | undefined>> = [];
    for (let i = 0; i < values.length; i += SIZE) chunks.push(values.slice(i, i + SIZE));
    return new SlotChunks(chunks, null);
  }

  /** The value at `slot`, or undefined. */
  get(slot: number): V | undefined {
    const chunk = this.chunks[slot >>> BITS];
    return chunk === undefined ? undefined : chunk[slot & LOW];
  }

  /** Sets `slot` (only while the owning index is built or derived). */
  set(slot: number, value: V | undefined): void {
    this.writable(slot >>> BITS)[slot & LOW] = value;
  }

  /** Every value, in slot order (holes skipped). */
  *values(): IterableIterator<V> {
    for (const chunk of this.chunks) for (const v of chunk) if (v !== undefined) yield v;
  }

  /** A table for a derived index: these chunks, shared until written. */
  fork(): SlotChunks<V> {
    return new SlotChunks(this.chunks.slice(), new Set());
  }

  private writable(k: number): Array<V | undefined> {
    while (this.chunks.length <= k) {
      this.chunks.push([]);
      this.owned?.add(this.chunks.length - 1);
    }
    if (this.owned !== null && !this.owned.has(k)) {
      this.chunks[k] = this.chunks[k]!.slice();
      this.owned.add(k);
    }
    return this.chunks[k]!;
  }
}

/**
 * The hot path's codes by slot (`EngineIndex.codes`): chunks of doubles, -1 where no subject is
 * (a slot this index does not know included). Kept apart from `SlotChunks` so that a check's
 * read stays monomorphic.
 */
export class CodeChunks {
  private owned: Set<number> | null;

  private constructor(
    private chunks: Float64Array[],
    owned: Set<number> | null,
  ) {
    this.owned = owned;
  }

  /** Codes for `count` slots, all -1, being built (chunks sized to fit: small orgs stay small). */
  static empty(count: number): CodeChunks {
    const chunks: Float64Array[] = [];
    for (let i = 0; i < count; i += SIZE) {
      chunks.push(new Float64Array(Math.min(SIZE, count - i)).fill(-1));
    }
    return new CodeChunks(chunks, null);
  }

  /** The code at `slot`; -1 or undefined where this index has no subject. */
  get(slot: number): number | undefined {
    const chunk = this.chunks[slot >>> BITS];
    return chunk === undefined ? undefined : chunk[slot & LOW];
  }

  /** Sets `slot` (only while the owning index is built or derived). */
  set(slot: number, code: number): void {
    const k = slot >>> BITS;
    const i = slot & LOW;
    while (this.chunks.length <= k) {
      this.chunks.push(new Float64Array(0));
      this.owned?.add(this.chunks.length - 1);
    }
    let chunk = this.chunks[k]!;
    if (chunk.length <= i || (this.owned !== null && !this.owned.has(k))) {
      // Copied (shared) or grown (a chunk fills up to SIZE, doubling).
      const size =
        chunk.length > i ? chunk.length : Math.min(SIZE, Math.max(i + 1, chunk.length * 2));
      const copy = new Float64Array(size);
      copy.set(chunk);
      copy.fill(-1, chunk.length);
      this.chunks[k] = chunk = copy;
      this.owned?.add(k);
    }
    chunk[i] = code;
  }

  /** Codes for a derived index: these chunks, shared until written. */
  fork(): CodeChunks {
    return new CodeChunks(this.chunks.slice(), new Set());
  }
}

/** What the preset use cases answer: a version's report, and the presets a deployment knows. */
import type { PresetChanges } from '@gatehouse/core';

/** Rows of one org moved to renamed names by a version. */
export interface PresetMoves {
  readonly assignments: number;
  readonly invitations: number;
  readonly customRoles: number;
  readonly scopes: number;
}

/** What a version does to one org of its preset. */
export interface PresetOrgEffect {
  readonly orgId: string;
  readonly slug: string;
  readonly name: string;
  /** The version the org follows now (null: the in-memory preset of the same key). */
  readonly fromVersion: number | null;
  readonly moved: PresetMoves;
  /**
   * What the version would leave pointing at nothing or breaking its rules in this org, one
   * sentence each; any refuses the apply.
   */
  readonly blockers: readonly string[];
}

/** `preset diff` and `preset apply`: the changes and their effect on each org. */
export interface PresetReport {
  readonly key: string;
  /** The newest stored version before this one; null when the key is new. */
  readonly fromVersion: number | null;
  /** The version this document is (or would be) stored as. */
  readonly version: number;
  /** True when `apply` stored the version (false for `diff`, and when nothing changed). */
  readonly applied: boolean;
  /** True when the document is the newest stored version already. */
  readonly unchanged: boolean;
  readonly changes: PresetChanges;
  readonly orgs: readonly PresetOrgEffect[];
  /** True when some org has blockers: `apply` refuses the version. */
  readonly blocked: boolean;
}

/** A preset a deployment knows (`preset list`). */
export interface PresetSummary {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  /** `built-in`, `memory` (given to the process in code) or `stored` (applied, versioned). */
  readonly source: 'built-in' | 'memory' | 'stored';
  /** The newest stored version; null unless stored. */
  readonly version: number | null;
  readonly appliedAt: Date | null;
  /** Organizations on it. */
  readonly orgs: number;
}

/** One version of a preset and its document (`preset show`). */
export interface PresetVersionView {
  readonly key: string;
  readonly source: PresetSummary['source'];
  readonly version: number | null;
  /** Every stored version, oldest first (empty unless stored). */
  readonly versions: readonly {
    readonly version: number;
    readonly appliedAt: Date;
    readonly appliedBy: string;
    readonly source: string;
  }[];
  /** The document as applied (renames included); for other presets, `presetDocument(preset)`. */
  readonly document: unknown;
}

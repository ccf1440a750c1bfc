/**
 * Typed names (issue 12): the permissions, role keys and scope kinds of the adopter's preset.
 * `gatehouse typegen` writes a `.d.ts` that registers them here (the Register pattern of TanStack
 * Router); with it, `gh.can({ permission: 'flows.wirte', … })` fails to compile. Without it, every
 * name is a `string`, as before.
 */
import type { PermissionOf, Preset, RoleOf, ScopeKindOf } from '@gatehouse/core';

/**
 * Where an app registers its preset's names, once for the whole program. Written by
 * `gatehouse typegen --preset KEY --out gatehouse-env.d.ts` (or `presetTypes` of
 * `@gatehouse/core`); include that file in the `tsconfig.json`.
 *
 * @example
 * declare module '@gatehouse/sdk' {
 *   interface Register {
 *     permission: 'docs.read' | 'docs.write' | 'members.invite' | …;
 *     role: 'owner' | 'reader' | 'writer';
 *     scopeKind: 'organization' | 'project';
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: declared empty for the adopter's augmentation.
export interface Register {}

/**
 * A permission name: `'flows.write'`; `string` when the names are not registered. `T` says
 * whose names: `Register` (the default), a typed preset (`typeof docsApp`, from `definePreset`
 * or `definePresetDocument`), or the names themselves (`{ permission: 'docs.read' | … }`).
 */
export type Permission<T = Register> = T extends Preset
  ? PermissionOf<T>
  : T extends { readonly permission: infer P extends string }
    ? P
    : string;

/** A built-in role key of the preset: `'workspace_editor'`; `string` when not registered. */
export type RoleKey<T = Register> = T extends Preset
  ? RoleOf<T>
  : T extends { readonly role: infer R extends string }
    ? R
    : string;

/** A scope kind of the preset: `'workspace'`; `string` when not registered. */
export type ScopeKind<T = Register> = T extends Preset
  ? ScopeKindOf<T>
  : T extends { readonly scopeKind: infer K extends string }
    ? K
    : string;

/** The view of an organization the API returns. */
import type { OrgRow } from '@gatehouse/db';

/** An organization as the API shows it. */
export interface OrgView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  readonly avatarUrl: string | null;
  readonly preset: string;
  /** The stored version of the preset the org follows; null for built-in and in-memory presets. */
  readonly presetVersion: number | null;
  readonly settings: Record<string, unknown>;
  readonly revision: number;
  readonly createdAt: string;
}

/** Maps an org row to its view. */
export function orgView(
  r: Pick<
    OrgRow,
    | 'id'
    | 'slug'
    | 'name'
    | 'description'
    | 'avatar_url'
    | 'preset'
    | 'preset_version'
    | 'settings'
    | 'revision'
    | 'created_at'
  >,
): OrgView {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
    preset: r.preset,
    presetVersion: r.preset_version,
    settings: r.settings,
    revision: r.revision,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

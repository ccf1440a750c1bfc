/** An organization as the API shows it. */
export interface OrgView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  readonly avatarUrl: string | null;
  readonly preset: string;
  readonly settings: Record<string, unknown>;
  readonly revision: number;
  readonly createdAt: string;
}

/** Maps an org row to its view. */
export function orgView(r: OrgRowLike): OrgView {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
    preset: r.preset,
    settings: r.settings,
    revision: r.revision,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

interface OrgRowLike {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  avatar_url: string | null;
  preset: string;
  settings: Record<string, unknown>;
  revision: number;
  created_at: Date;
}

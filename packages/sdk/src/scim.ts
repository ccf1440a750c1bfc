/**
 * `createScimClient()`: a typed SCIM 2.0 client (RFC 7644) for a Gatehouse organization's
 * `/scim/v2` endpoint, with an SCIM-directory token. Also handy to test an identity provider
 * setup by hand, and for scripts that provision from another source of truth.
 *
 * @example
 * const scim = createScimClient({ url: 'http://127.0.0.1:4000', token: process.env.SCIM_TOKEN! });
 * const found = await scim.users.list({ filter: scimFilter.eq('userName', 'ada@example.com') });
 * const ada = found.Resources[0] ?? (await scim.users.create({ userName: 'ada@example.com' }));
 * await scim.users.patch(ada.id!, [{ op: 'replace', path: 'active', value: false }]);
 */

export const SCIM_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** `meta` of a SCIM resource; `version` is its weak ETag (for `ifMatch`). */
export interface ScimMeta {
  readonly resourceType: string;
  readonly created?: string;
  readonly lastModified?: string;
  readonly location?: string;
  readonly version?: string;
}

/** One value of a multi-valued attribute (emails, phoneNumbers, ...). */
export interface ScimMultiValue {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
  [sub: string]: unknown;
}

/** A SCIM User (core schema and the enterprise extension). */
export interface ScimUser {
  schemas?: string[];
  id?: string;
  externalId?: string;
  userName: string;
  name?: {
    formatted?: string;
    familyName?: string;
    givenName?: string;
    middleName?: string;
    honorificPrefix?: string;
    honorificSuffix?: string;
  };
  displayName?: string;
  nickName?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  addresses?: ScimMultiValue[];
  groups?: ScimMultiValue[];
  roles?: ScimMultiValue[];
  [SCIM_ENTERPRISE_URN]?: {
    employeeNumber?: string;
    costCenter?: string;
    organization?: string;
    division?: string;
    department?: string;
    manager?: { value?: string; displayName?: string; $ref?: string };
  };
  meta?: ScimMeta;
  [attribute: string]: unknown;
}

/** A SCIM Group. */
export interface ScimGroup {
  schemas?: string[];
  id?: string;
  externalId?: string;
  displayName: string;
  members?: Array<{ value: string; display?: string; $ref?: string; type?: string }>;
  meta?: ScimMeta;
  [attribute: string]: unknown;
}

/** A page of results (`itemsPerPage` is the size of this page). */
export interface ScimListResponse<T> {
  readonly schemas: string[];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: T[];
}

/** List and search options (RFC 7644 §3.4.2). */
export interface ScimListOptions {
  readonly filter?: string | undefined;
  readonly startIndex?: number | undefined;
  readonly count?: number | undefined;
  readonly sortBy?: string | undefined;
  readonly sortOrder?: 'ascending' | 'descending' | undefined;
  readonly attributes?: readonly string[] | undefined;
  readonly excludedAttributes?: readonly string[] | undefined;
}

/** One PATCH operation (RFC 7644 §3.5.2). */
export interface ScimPatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path?: string;
  readonly value?: unknown;
}

/** Conditional writes: `ifMatch` is a `meta.version` (412 when the resource moved on). */
export interface ScimWriteOptions {
  readonly ifMatch?: string | undefined;
}

/** A SCIM error response (RFC 7644 §3.12). */
export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: string | undefined,
    readonly detail: string,
  ) {
    super(`SCIM ${status}${scimType ? ` ${scimType}` : ''}: ${detail}`);
  }
}

/** Connection options. */
export interface ScimClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:4000` (the client appends `/scim/v2`). */
  readonly url: string;
  /** The organization's SCIM token. */
  readonly token: string;
  /** Path of the SCIM root; default `/scim/v2`. */
  readonly basePath?: string;
  readonly fetch?: typeof fetch;
}

/** Operations on one resource type. */
export interface ScimResourceClient<T> {
  list(options?: ScimListOptions): Promise<ScimListResponse<T>>;
  /** POST `/{type}/.search`: the same as `list`, with the filter in the body. */
  search(options?: ScimListOptions): Promise<ScimListResponse<T>>;
  /** Every match, page after page. */
  all(options?: Omit<ScimListOptions, 'startIndex'>): AsyncGenerator<T>;
  get(id: string, options?: Pick<ScimListOptions, 'attributes' | 'excludedAttributes'>): Promise<T>;
  create(resource: T): Promise<T>;
  replace(id: string, resource: T, options?: ScimWriteOptions): Promise<T>;
  /** The patched resource, or undefined when the server answered 204 (Gatehouse does for groups). */
  patch(
    id: string,
    operations: readonly ScimPatchOperation[],
    options?: ScimWriteOptions,
  ): Promise<T | undefined>;
  delete(id: string, options?: ScimWriteOptions): Promise<void>;
}

/** The SCIM client. */
export interface ScimClient {
  readonly users: ScimResourceClient<ScimUser>;
  readonly groups: ScimResourceClient<ScimGroup>;
  /** POST `/.search` across resource types. */
  search(options?: ScimListOptions): Promise<ScimListResponse<ScimUser | ScimGroup>>;
  serviceProviderConfig(): Promise<Record<string, unknown>>;
  resourceTypes(): Promise<ScimListResponse<Record<string, unknown>>>;
  schemas(): Promise<ScimListResponse<Record<string, unknown>>>;
  /** The Gatehouse revision the last write committed as (`X-Gatehouse-Revision`; C6). */
  readonly lastRevision: number | undefined;
}

const quote = (v: string | number | boolean | null) => JSON.stringify(v);
type Value = string | number | boolean | null;

/**
 * Builds filter strings with correct quoting (RFC 7644 §3.4.2.2).
 *
 * @example
 * scimFilter.and(scimFilter.eq('userName', 'a@b.c'), scimFilter.valuePath('emails', scimFilter.eq('type', 'work')))
 * // 'userName eq "a@b.c" and emails[type eq "work"]'
 */
export const scimFilter = {
  eq: (attr: string, v: Value) => `${attr} eq ${quote(v)}`,
  ne: (attr: string, v: Value) => `${attr} ne ${quote(v)}`,
  co: (attr: string, v: string) => `${attr} co ${quote(v)}`,
  sw: (attr: string, v: string) => `${attr} sw ${quote(v)}`,
  ew: (attr: string, v: string) => `${attr} ew ${quote(v)}`,
  gt: (attr: string, v: Value) => `${attr} gt ${quote(v)}`,
  ge: (attr: string, v: Value) => `${attr} ge ${quote(v)}`,
  lt: (attr: string, v: Value) => `${attr} lt ${quote(v)}`,
  le: (attr: string, v: Value) => `${attr} le ${quote(v)}`,
  pr: (attr: string) => `${attr} pr`,
  and: (...filters: string[]) => filters.map((f) => `(${f})`).join(' and '),
  or: (...filters: string[]) => filters.map((f) => `(${f})`).join(' or '),
  not: (filter: string) => `not (${filter})`,
  valuePath: (attr: string, filter: string) => `${attr}[${filter}]`,
} as const;

function listQuery(o: ScimListOptions = {}): string {
  const q = new URLSearchParams();
  if (o.filter) q.set('filter', o.filter);
  if (o.startIndex !== undefined) q.set('startIndex', String(o.startIndex));
  if (o.count !== undefined) q.set('count', String(o.count));
  if (o.sortBy) q.set('sortBy', o.sortBy);
  if (o.sortOrder) q.set('sortOrder', o.sortOrder);
  if (o.attributes?.length) q.set('attributes', o.attributes.join(','));
  if (o.excludedAttributes?.length) q.set('excludedAttributes', o.excludedAttributes.join(','));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function searchBody(o: ScimListOptions = {}): Record<string, unknown> {
  return {
    schemas: [SEARCH_URN],
    ...(o.filter ? { filter: o.filter } : {}),
    ...(o.startIndex !== undefined ? { startIndex: o.startIndex } : {}),
    ...(o.count !== undefined ? { count: o.count } : {}),
    ...(o.sortBy ? { sortBy: o.sortBy } : {}),
    ...(o.sortOrder ? { sortOrder: o.sortOrder } : {}),
    ...(o.attributes?.length ? { attributes: o.attributes } : {}),
    ...(o.excludedAttributes?.length ? { excludedAttributes: o.excludedAttributes } : {}),
  };
}

/** Connects to a Gatehouse SCIM endpoint. */
export function createScimClient(options: ScimClientOptions): ScimClient {
  const root = `${options.url.replace(/\/+$/, '')}${options.basePath ?? '/scim/v2'}`;
  const doFetch = options.fetch ?? fetch;
  let lastRevision: number | undefined;

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<T | undefined> {
    const res = await doFetch(`${root}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const revision = res.headers.get('x-gatehouse-revision');
    if (revision) lastRevision = Number(revision);
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      if (res.ok) throw new ScimError(res.status, undefined, 'the response is not JSON');
    }
    if (!res.ok) {
      throw new ScimError(
        res.status,
        typeof parsed?.scimType === 'string' ? parsed.scimType : undefined,
        typeof parsed?.detail === 'string' ? parsed.detail : res.statusText,
      );
    }
    return parsed as T | undefined;
  }

  const ifMatch = (o?: ScimWriteOptions): Record<string, string> =>
    o?.ifMatch ? { 'if-match': o.ifMatch } : {};

  function resource<T>(endpoint: '/Users' | '/Groups', urn: string): ScimResourceClient<T> {
    const withSchema = (r: T) => {
      const x = r as { schemas?: string[] };
      return x.schemas ? r : { ...r, schemas: [urn] };
    };
    const client: ScimResourceClient<T> = {
      list: async (o) => (await call<ScimListResponse<T>>('GET', `${endpoint}${listQuery(o)}`))!,
      search: async (o) =>
        (await call<ScimListResponse<T>>('POST', `${endpoint}/.search`, searchBody(o)))!,
      async *all(o = {}) {
        let start = 1;
        for (;;) {
          const page = await client.list({ ...o, startIndex: start });
          yield* page.Resources;
          start += page.Resources.length;
          if (page.Resources.length === 0 || start > page.totalResults) return;
        }
      },
      get: async (id, o) =>
        (await call<T>('GET', `${endpoint}/${encodeURIComponent(id)}${listQuery(o)}`))!,
      create: async (r) => (await call<T>('POST', endpoint, withSchema(r)))!,
      replace: async (id, r, o) =>
        (await call<T>('PUT', `${endpoint}/${encodeURIComponent(id)}`, withSchema(r), ifMatch(o)))!,
      patch: (id, operations, o) =>
        call<T>(
          'PATCH',
          `${endpoint}/${encodeURIComponent(id)}`,
          { schemas: [PATCH_URN], Operations: operations },
          ifMatch(o),
        ),
      delete: async (id, o) => {
        await call('DELETE', `${endpoint}/${encodeURIComponent(id)}`, undefined, ifMatch(o));
      },
    };
    return client;
  }

  return {
    users: resource<ScimUser>('/Users', SCIM_USER_URN),
    groups: resource<ScimGroup>('/Groups', SCIM_GROUP_URN),
    search: async (o) =>
      (await call<ScimListResponse<ScimUser | ScimGroup>>('POST', '/.search', searchBody(o)))!,
    serviceProviderConfig: async () =>
      (await call<Record<string, unknown>>('GET', '/ServiceProviderConfig'))!,
    resourceTypes: async () =>
      (await call<ScimListResponse<Record<string, unknown>>>('GET', '/ResourceTypes'))!,
    schemas: async () =>
      (await call<ScimListResponse<Record<string, unknown>>>('GET', '/Schemas'))!,
    get lastRevision() {
      return lastRevision;
    },
  };
}

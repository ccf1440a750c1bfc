/**
 * The part of SCIMMY's User, enterprise extension and Group definitions (scimmy 1.3.5,
 * `lib/schemas.js`) that the coercion fast path (`./inbound.ts`, `./outbound.ts`) handles, in
 * SCIMMY's definition order, which is the key order of SCIMMY's coerced output at every level.
 * An attribute SCIMMY declares but this table leaves out (`profileUrl`, `ims`, `photos`,
 * `roles`, `x509Certificates`) sends a body to SCIMMY.
 */

/** How the fast path checks and copies one attribute's value. */
export interface FastAttr {
  readonly name: string;
  /** `reference` holds only resource-type references (SCIMMY's `referenceTypes`). */
  readonly kind: 'string' | 'boolean' | 'reference' | 'complex';
  readonly multiValued?: boolean;
  /** SCIMMY's `canonicalValues`: a value outside them is SCIMMY's error to give. */
  readonly canonical?: readonly string[];
  /** The resource types a `reference` may name: it starts with one or contains `/<type>`. */
  readonly referenceTypes?: readonly string[];
  /** A complex attribute's sub-attributes, in definition order. */
  readonly sub?: readonly FastAttr[];
}

const str = (name: string): FastAttr => ({ name, kind: 'string' });
const bool = (name: string): FastAttr => ({ name, kind: 'boolean' });
const typed = (name: string, canonical?: readonly string[]): FastAttr =>
  canonical ? { name, kind: 'string', canonical } : str(name);
const ref = (name: string, referenceTypes: readonly string[]): FastAttr => ({
  name,
  kind: 'reference',
  referenceTypes,
});
const multi = (name: string, sub: readonly FastAttr[]): FastAttr => ({
  name,
  kind: 'complex',
  multiValued: true,
  sub,
});

const WORK_HOME_OTHER = ['work', 'home', 'other'];

/** User attributes after `schemas`, `id`, `externalId` and `meta`, up to `active`. */
export const USER_HEAD: readonly FastAttr[] = [
  str('userName'),
  {
    name: 'name',
    kind: 'complex',
    sub: [
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ].map(str),
  },
  str('displayName'),
  str('nickName'),
  // profileUrl (an external URL SCIMMY parses) is left to SCIMMY.
  ...['title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map(str),
  bool('active'),
];

/** User attributes after `active` and `password` up to `groups` (which sits in between). */
export const USER_MULTI: readonly FastAttr[] = [
  multi('emails', [str('value'), str('display'), typed('type', WORK_HOME_OTHER), bool('primary')]),
  multi('phoneNumbers', [
    str('value'),
    str('display'),
    typed('type', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    bool('primary'),
  ]),
  // ims and photos are left to SCIMMY.
  multi('addresses', [
    ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'].map(str),
    typed('type', WORK_HOME_OTHER),
    bool('primary'),
  ]),
];

/** The read-only `groups` of a User (returned only, ignored inbound). */
export const USER_GROUPS: FastAttr = multi('groups', [
  str('value'),
  ref('$ref', ['User', 'Group']),
  str('display'),
  typed('type', ['direct', 'indirect']),
]);

/** User attributes after `groups`. roles and x509Certificates are left to SCIMMY. */
export const USER_TAIL: readonly FastAttr[] = [
  multi('entitlements', [str('value'), str('display'), str('type'), bool('primary')]),
];

/** The enterprise extension's attributes (RFC 7643 §4.3), in definition order. */
export const ENTERPRISE_ATTRS: readonly FastAttr[] = [
  ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map(str),
  {
    name: 'manager',
    kind: 'complex',
    sub: [str('value'), ref('$ref', ['User']), str('displayName')],
  },
];

/** Group attributes after `schemas`, `id`, `externalId` and `meta`. */
export const GROUP_ATTRS: readonly FastAttr[] = [
  str('displayName'),
  multi('members', [
    str('value'),
    str('display'),
    ref('$ref', ['User', 'Group']),
    typed('type', ['User', 'Group']),
  ]),
];

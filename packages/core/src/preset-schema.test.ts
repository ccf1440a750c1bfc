/**
 * Issue 12: `preset.schema.json`, shipped with the package for editors, is the JSON Schema of the
 * zod schema that validates preset documents, regenerated whenever that changes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetJsonSchema } from './internal/document-schema.js';

describe('R1 issue 12: the JSON Schema of preset documents', () => {
  it('R1 preset.schema.json is up to date (pnpm --filter @gatehouse/core schema rewrites it)', () => {
    const file = new URL('../preset.schema.json', import.meta.url);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(presetJsonSchema());
  });

  it('R1 it names the fields, their patterns and that no other field is allowed', () => {
    const schema = presetJsonSchema() as {
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: { roles: { propertyNames: { pattern: string } } };
    };
    expect(schema.title).toBe('Gatehouse preset');
    expect(schema.required).toEqual([
      'key',
      'name',
      'catalog',
      'rootKind',
      'scopeKinds',
      'roles',
      'ownerRole',
    ]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.roles.propertyNames.pattern).toBe('^[a-z][a-z0-9_-]{0,62}$');
  });
});

/**
 * Writes `preset.schema.json`, the JSON Schema of preset documents for editors, from the zod
 * schema that validates them (`pnpm --filter @gatehouse/core schema`). `preset-schema.test.ts`
 * fails while the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { presetJsonSchema } from '../src/internal/document-schema.js';

const file = new URL('../preset.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(presetJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);

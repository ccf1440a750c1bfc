import { defineConfig } from 'vitest/config';

export default defineConfig({
  // hookTimeout: src/scim/scale.test.ts seeds 10k users in its beforeAll.
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000 },
});

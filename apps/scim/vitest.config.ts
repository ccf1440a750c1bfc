import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The conformance suites start the real server, which depends on this package: resolving it
    // from its build (not as a declared dependency) keeps turbo's package graph acyclic.
    alias: {
      '@gatehouse/server': fileURLToPath(new URL('../server/dist/index.js', import.meta.url)),
    },
  },
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000 },
});

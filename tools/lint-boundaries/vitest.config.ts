import { defineConfig } from 'vitest/config';

// One biome run over a handful of files: well under a second, but the machine may be busy.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 30_000 } });

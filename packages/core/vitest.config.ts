import { defineConfig } from 'vitest/config';

// Engine tests are CPU-bound: on a busy 2-core machine a derive chain can take several seconds.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 } });

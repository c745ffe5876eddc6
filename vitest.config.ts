import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests never read or fill the user's cache.
    env: { STRATA_CACHE_DIR: mkdtempSync(join(tmpdir(), 'strata-test-cache-')) },
  },
});

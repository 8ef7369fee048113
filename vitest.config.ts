import { defineConfig } from 'vitest/config';

// One run over every package's own vitest project, so `npm test` ends with one summary.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});

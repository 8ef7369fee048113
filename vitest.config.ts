import { defineConfig } from 'vitest/config';

// One run over every workspace's own vitest project (packages, Terraform integration, repo
// scripts), so `npm test` ends with one summary.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', '{terraform,scripts}/vitest.config.ts'],
  },
});

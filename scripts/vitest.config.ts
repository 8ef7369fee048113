import { defineProject } from 'vitest/config';

// Tests of the repository's own tooling: the rotator generator and the CI workflow.
export default defineProject({
  test: {
    name: 'scripts',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['@rotators/testkit/vitest/setupLogCapture'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});

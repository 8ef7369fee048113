import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'postgres-alternating-users',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@rotators/testkit/vitest/globalSetup'],
    setupFiles: ['@rotators/testkit/vitest/setupLogCapture'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

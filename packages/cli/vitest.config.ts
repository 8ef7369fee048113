import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@rotators/testkit/vitest/globalSetup'],
    setupFiles: ['@rotators/testkit/vitest/setupLogCapture'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

import { defineProject } from 'vitest/config';

// Each example applied against the project's moto (the test kit's globalSetup), planned again,
// rotated with the built zip, destroyed. Files run in parallel; each uses its own copy of the
// Terraform folders, so their state and .terraform never meet.
export default defineProject({
  test: {
    name: 'terraform',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@rotators/testkit/vitest/globalSetup'],
    setupFiles: ['@rotators/testkit/vitest/setupLogCapture'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

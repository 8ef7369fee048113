/** In every test file: capture output, and fail the file if any remembered secret was written. */
import { afterAll, expect } from 'vitest';
import { findLeaks, installLogCapture } from '../logCapture.ts';

installLogCapture();

afterAll(() => {
  expect(findLeaks(), 'secret values found in captured logs').toEqual([]);
});

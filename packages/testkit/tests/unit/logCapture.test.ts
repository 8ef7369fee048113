import { describe, expect, it } from 'vitest';
import { capturedOutput, findLeaks, rememberSecret, rememberSecretJson } from '../../src/logCapture.ts';

describe('log-leak guard', () => {
  it('captures what is written to stdout in a test file', () => {
    process.stdout.write('capture-marker-7f3a\n');
    expect(capturedOutput()).toContain('capture-marker-7f3a');
  });

  it('finds a remembered secret in text, without quoting it', () => {
    rememberSecret('planted-secret-value-91');
    const leaks = findLeaks('{"level":"INFO","message":"oops planted-secret-value-91"}');
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).not.toContain('planted-secret-value-91');
    expect(findLeaks('{"level":"INFO","message":"clean"}')).toEqual([]);
  });

  it('remembers the sensitive fields of a SecretString, at any depth', () => {
    rememberSecretJson(
      JSON.stringify({
        username: 'app-user-name',
        password: 'json-password-1234',
        nested: { apiKey: 'nested-api-key-5678' },
      }),
    );
    expect(findLeaks('json-password-1234')).toHaveLength(1);
    expect(findLeaks('nested-api-key-5678')).toHaveLength(1);
    expect(findLeaks('app-user-name')).toEqual([]);
  });
});

describe('log-leak guard and console', () => {
  it('captures console output too, which the test runner routes around process.stdout', () => {
    console.warn('console-marker-19ab');
    expect(capturedOutput()).toContain('console-marker-19ab');
  });

  it('finds a secret as it appears inside JSON, escaped', () => {
    rememberSecret('quote"and\\backslash-secret');
    expect(findLeaks(JSON.stringify({ message: 'quote"and\\backslash-secret' }))).toHaveLength(1);
  });
});

import { createRotationLogger, REDACTED, redactSensitive, safeCause } from '@rotators/core';
import { capturedOutput } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';

describe('redactSensitive', () => {
  it('blanks attributes whose names say they are secret, and keeps the rest', () => {
    expect(redactSensitive('password', 'x')).toBe(REDACTED);
    expect(redactSensitive('SecretString', 'x')).toBe(REDACTED);
    expect(redactSensitive('RotationToken', 'x')).toBe(REDACTED);
    expect(redactSensitive('apiKey', 'x')).toBe(REDACTED);
    expect(redactSensitive('clientRequestToken', 'tok')).toBe('tok');
    expect(redactSensitive('secretId', 'arn')).toBe('arn');
    expect(redactSensitive('username', 'app')).toBe('app');
  });

  it('is applied by the rotation logger', () => {
    const logger = createRotationLogger('unit-test');
    logger.info('redaction probe', { password: 'probe-value-that-must-not-show', username: 'probe-user' });
    const line = capturedOutput()
      .split('\n')
      .find((l) => l.includes('redaction probe'))!;
    expect(JSON.parse(line)).toMatchObject({
      rotator: 'unit-test',
      password: REDACTED,
      username: 'probe-user',
      level: 'INFO',
    });
  });
});

describe('safeCause', () => {
  it('keeps the class name and code of a driver error, and drops its message and statement text', () => {
    const driverError = Object.assign(new Error("Access denied for user 'app' using password: s3cret"), {
      code: 'ER_ACCESS_DENIED_ERROR',
      errno: 1045,
      sql: "SET PASSWORD = 's3cret'",
    });
    const cause = safeCause(driverError);
    expect(cause.message).toBe('Error ER_ACCESS_DENIED_ERROR');
    expect(JSON.stringify({ ...cause, message: cause.message })).not.toContain('s3cret');
    expect((cause as Error & { errno?: number }).errno).toBe(1045);
  });
});

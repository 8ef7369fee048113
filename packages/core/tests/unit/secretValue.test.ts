import { parseSecretValue, SecretValueError } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const schema = z.looseObject({ username: z.string(), port: z.number().int().default(3306) });
const context = { secretId: 'arn:secret:x', step: 'createSecret' as const };

describe('parseSecretValue', () => {
  it('keeps unknown fields and applies defaults', () => {
    expect(
      parseSecretValue(schema, JSON.stringify({ username: 'app', extra: { a: 1 } }), 'AWSCURRENT', context),
    ).toEqual({ username: 'app', port: 3306, extra: { a: 1 } });
  });

  it('names the fields at fault and the secret, never the values', () => {
    const secretString = JSON.stringify({ username: 12345678901, port: 'hunter2-not-a-port' });
    let error: unknown;
    try {
      parseSecretValue(schema, secretString, 'AWSPENDING', context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as SecretValueError).fields).toEqual(['username', 'port']);
    expect((error as Error).message).toMatch(/AWSPENDING.*"username".*"port".*arn:secret:x/);
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('12345678901');
  });

  it('does not quote text from invalid JSON', () => {
    let error: unknown;
    try {
      parseSecretValue(schema, 'password=s3cr3t-value', 'AWSCURRENT', context);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect((error as Error).message).not.toContain('s3cr3t');
    expect((error as Error).cause).toBeUndefined();
  });

  it('refuses a "__proto__" field, which schema parsing would drop unseen and promotion would keep', () => {
    const error = (() => {
      try {
        return parseSecretValue(schema, '{"username":"app","__proto__":{"host":"elsewhere.example"}}', 'AWSPENDING', {
          secretId: 'arn:x',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as SecretValueError).fields).toEqual(['__proto__']);
    expect((error as Error).message).not.toContain('elsewhere');
  });

  it('rejects JSON that is not an object', () => {
    expect(() => parseSecretValue(schema, '"just-a-string"', 'AWSCURRENT', context)).toThrow(/must be a JSON object/);
  });
});

/** The secret schema and the password defaults (pure logic). */
import { readPasswordPolicy, SecretValueError, validateSecretValue } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator, POSTGRES_EXCLUDE_CHARACTERS } from '../../src/rotator.ts';
import { postgresSecret, targetOf } from '../../src/schema.ts';

const base = { engine: 'postgres', host: 'db.example', username: 'app', password: 'unit-test-password' };
const context = { secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:unit' };

function fieldsOf(value: Record<string, unknown>): string[] {
  try {
    validateSecretValue(postgresSecret, value, 'AWSCURRENT', context);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as Error).message).toContain(context.secretId);
    expect((error as Error).message).not.toContain('unit-test-password');
    return (error as SecretValueError).fields;
  }
  return [];
}

describe('postgresSecret', () => {
  it('accepts AWS’s shape, keeps unknown fields, and leaves optional ones absent', () => {
    const parsed = postgresSecret.parse({ ...base, replica: 'r1' });
    expect(parsed).toEqual({ ...base, replica: 'r1' });
    expect(targetOf(parsed)).toEqual({ host: 'db.example', port: 5432, database: 'postgres', username: 'app' });
    expect(targetOf(postgresSecret.parse({ ...base, port: '6432', dbname: null }))).toMatchObject({
      port: 6432,
      database: 'postgres',
    });
    expect(postgresSecret.parse({ ...base, engine: 'aurora-postgresql', ssl: 'TRUE' }).ssl).toBe(true);
  });

  it.each([
    [{ engine: 'mysql' }, ['engine']],
    [{ host: '' }, ['host']],
    [{ username: 'u'.repeat(64) }, ['username']],
    [{ username: 'é'.repeat(32) }, ['username']], // 64 bytes in UTF-8
    [{ username: 'a\0b' }, ['username']],
    [{ port: 70000 }, ['port']],
    [{ port: '54x' }, ['port']],
    [{ ssl: 'maybe' }, ['ssl']],
    [{ password: 42 }, ['password']],
  ])('rejects %j naming the field', (change, fields) => {
    expect(fieldsOf({ ...base, ...change })).toEqual(fields);
  });
});

describe('password defaults', () => {
  it('exclude AWS’s PostgreSQL characters (":" too, for .pgpass) unless EXCLUDE_CHARACTERS is set', () => {
    const rotator = createPostgresSingleUserRotator({ env: {} });
    expect(POSTGRES_EXCLUDE_CHARACTERS).toBe(':/@"\'\\');
    expect(readPasswordPolicy({}, rotator.passwordDefaults).excludeCharacters).toBe(':/@"\'\\');
    expect(readPasswordPolicy({ EXCLUDE_CHARACTERS: '%' }, rotator.passwordDefaults).excludeCharacters).toBe('%');
  });

  it('reads the TLS settings once, at creation: a bad value fails there', () => {
    expect(() => createPostgresSingleUserRotator({ env: { CONNECT_TIMEOUT_SECONDS: 'soon' } })).toThrow(
      /CONNECT_TIMEOUT_SECONDS/,
    );
  });
});

/** Pure logic: naming rule, name-length limit, secret schema, cold-start configuration. */
import { ConfigurationError, SecretValueError, validateSecretValue } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { readAdoptExisting, readUsernameCharacterLimit } from '../../src/config.ts';
import { createMysqlAlternatingUsersRotator } from '../../src/rotator.ts';
import { mysqlSecretSchema, portOf, sslOf } from '../../src/schema.ts';
import { alternateUsername, pendingUsername, UsernameTooLongError } from '../../src/usernames.ts';

const context = { secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:s', step: 'createSecret' as const };

describe('user names', () => {
  it('alternates by appending or stripping _clone', () => {
    expect(alternateUsername('app')).toBe('app_clone');
    expect(alternateUsername('app_clone')).toBe('app');
  });

  it('counts characters, not bytes: 26 non-ASCII letters fit in 32', () => {
    expect(pendingUsername('é'.repeat(26), 32, context)).toBe(`${'é'.repeat(26)}_clone`);
    expect(() => pendingUsername('é'.repeat(27), 32, context)).toThrow(UsernameTooLongError);
  });

  it('stripping never hits the limit; "_clone" alone has no alternate', () => {
    expect(pendingUsername(`${'a'.repeat(40)}_clone`, 32, context)).toBe('a'.repeat(40));
    expect(() => pendingUsername('_clone', 32, context)).toThrow(SecretValueError);
  });

  it('USERNAME_CHARACTER_LIMIT: default 32, 16 and 80 accepted, nonsense refused at cold start', () => {
    expect(readUsernameCharacterLimit({})).toBe(32);
    expect(readUsernameCharacterLimit({ USERNAME_CHARACTER_LIMIT: '16' })).toBe(16);
    expect(readUsernameCharacterLimit({ USERNAME_CHARACTER_LIMIT: '80' })).toBe(80);
    for (const bad of ['abc', '0', '6', '-3', '1e3', '256']) {
      expect(() => createMysqlAlternatingUsersRotator({ env: { USERNAME_CHARACTER_LIMIT: bad } })).toThrow(
        ConfigurationError,
      );
    }
  });
});

describe('ADOPT_EXISTING_CLONE', () => {
  it(
    'default false, the booleans of every variable (core env.ts) ' +
      'accepted, anything else refused at cold start naming the variable',
    () => {
      expect(readAdoptExisting({})).toBe(false);
      expect(readAdoptExisting({ ADOPT_EXISTING_CLONE: 'TRUE' })).toBe(true);
      expect(readAdoptExisting({ ADOPT_EXISTING_CLONE: 'yes' })).toBe(true);
      expect(readAdoptExisting({ ADOPT_EXISTING_CLONE: '0' })).toBe(false);
      expect(readAdoptExisting({ ADOPT_EXISTING_CLONE: 'false' })).toBe(false);
      for (const bad of ['sometimes', 'adopt', '2']) {
        expect(() => createMysqlAlternatingUsersRotator({ env: { ADOPT_EXISTING_CLONE: bad } })).toThrow(
          /ADOPT_EXISTING_CLONE/,
        );
      }
    },
  );
});

describe('secret schema', () => {
  const valid = { engine: 'mariadb', host: 'db', username: 'app', password: 'pw-123456', masterarn: 'arn:m' };

  it('keeps unknown fields and stores port and ssl as written', () => {
    const parsed = validateSecretValue(
      mysqlSecretSchema,
      { ...valid, port: '3307', ssl: 'True', replica: 'r1' },
      'AWSCURRENT',
      context,
    );
    expect(parsed).toMatchObject({ port: '3307', ssl: 'True', replica: 'r1' });
    expect(portOf(parsed)).toBe(3307);
    expect(sslOf(parsed)).toBe(true);
    expect(portOf({})).toBe(3306);
  });

  it.each([
    [{ engine: 'postgres' }, 'engine'],
    [{ masterarn: undefined }, 'masterarn'],
    [{ port: 'abc' }, 'port'],
    [{ port: 70000 }, 'port'],
    [{ ssl: 'maybe' }, 'ssl'],
    [{ username: 'a\u0000b' }, 'username'],
    [{ host: '' }, 'host'],
  ])('refuses %j naming the field %s, without its value', (change, field) => {
    const error = (() => {
      try {
        validateSecretValue(mysqlSecretSchema, { ...valid, ...change }, 'AWSCURRENT', context);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as SecretValueError).fields).toEqual([field]);
    expect((error as Error).message).not.toContain('pw-123456');
  });
});

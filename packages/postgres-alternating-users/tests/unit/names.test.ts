/** The role names of a secret (pure): the _clone rule, the 57-byte base limit, the owner role. */
import { SecretValueError } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { alternateUsername, MAX_BASE_NAME_BYTES, roleNamesOf, UsernameTooLongError } from '../../src/names.ts';

const ctx = {
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
  step: 'createSecret' as const,
};

describe('role names', () => {
  it('alternates app and app_clone (AWS rule: strip the suffix if present, else append it)', () => {
    expect(alternateUsername('app')).toBe('app_clone');
    expect(alternateUsername('app_clone')).toBe('app');
    expect(alternateUsername('x_clone_clone')).toBe('x_clone');
  });

  it('names the base, clone and owner role from either user; ownerRole overrides the default', () => {
    expect(roleNamesOf({ username: 'app' }, ctx)).toEqual({ base: 'app', clone: 'app_clone', owner: 'app_owner' });
    expect(roleNamesOf({ username: 'app_clone' }, ctx)).toEqual({
      base: 'app',
      clone: 'app_clone',
      owner: 'app_owner',
    });
    expect(roleNamesOf({ username: 'app', ownerRole: 'shop' }, ctx).owner).toBe('shop');
  });

  it('counts bytes, not characters: 57 bytes pass, 58 are a UsernameTooLongError on "username"', () => {
    expect(MAX_BASE_NAME_BYTES).toBe(57);
    const ok = `${'é'.repeat(28)}a`; // 57 bytes, 29 characters
    expect(roleNamesOf({ username: ok }, ctx).clone).toHaveLength(35);
    const error = (() => {
      try {
        roleNamesOf({ username: 'é'.repeat(29) }, ctx);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsernameTooLongError);
    expect((error as UsernameTooLongError).fields).toEqual(['username']);
    expect((error as Error).message).toContain(ctx.secretId);
  });

  it('refuses "_clone" alone and an ownerRole equal to one of the users', () => {
    expect(() => roleNamesOf({ username: '_clone' }, ctx)).toThrow(SecretValueError);
    for (const ownerRole of ['app', 'app_clone']) {
      try {
        roleNamesOf({ username: 'app', ownerRole }, ctx);
        expect.unreachable();
      } catch (error) {
        expect((error as SecretValueError).fields).toEqual(['ownerRole']);
      }
    }
  });
});

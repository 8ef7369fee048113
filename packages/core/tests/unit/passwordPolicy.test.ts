import {
  ConfigurationError,
  DEFAULT_EXCLUDE_CHARACTERS,
  readEngineConfig,
  readPasswordPolicy,
  toGetRandomPasswordRequest,
} from '@rotators/core';
import { describe, expect, it } from 'vitest';

describe('readPasswordPolicy', () => {
  it('defaults to AWS template behaviour: 32 characters, every class, excluding /@"\'\\', () => {
    expect(toGetRandomPasswordRequest(readPasswordPolicy({}))).toEqual({
      PasswordLength: 32,
      ExcludeCharacters: DEFAULT_EXCLUDE_CHARACTERS,
      ExcludeNumbers: false,
      ExcludePunctuation: false,
      ExcludeUppercase: false,
      ExcludeLowercase: false,
      IncludeSpace: false,
      RequireEachIncludedType: true,
    });
  });

  it('reads every variable AWS templates name, plus INCLUDE_SPACE', () => {
    const policy = readPasswordPolicy({
      PASSWORD_LENGTH: '48',
      EXCLUDE_CHARACTERS: ':;',
      EXCLUDE_NUMBERS: 'yes',
      EXCLUDE_PUNCTUATION: 'TRUE',
      EXCLUDE_UPPERCASE: '1',
      EXCLUDE_LOWERCASE: 'false',
      INCLUDE_SPACE: 'on',
      REQUIRE_EACH_INCLUDED_TYPE: 'no',
    });
    expect(policy).toEqual({
      length: 48,
      excludeCharacters: ':;',
      excludeNumbers: true,
      excludePunctuation: true,
      excludeUppercase: true,
      excludeLowercase: false,
      includeSpace: true,
      requireEachIncludedType: false,
    });
  });

  it('uses a rotator default for EXCLUDE_CHARACTERS when the variable is unset', () => {
    expect(readPasswordPolicy({}, { excludeCharacters: ':/@"\'\\' }).excludeCharacters).toBe(':/@"\'\\');
    expect(readPasswordPolicy({ EXCLUDE_CHARACTERS: '' }, { excludeCharacters: ':' }).excludeCharacters).toBe('');
  });

  it.each([
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: 'abc' }],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '3' }],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '4097' }],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '12.5' }],
    ['EXCLUDE_NUMBERS', { EXCLUDE_NUMBERS: 'ture' }],
    ['REQUIRE_EACH_INCLUDED_TYPE', { REQUIRE_EACH_INCLUDED_TYPE: 'maybe' }],
    [
      'EXCLUDE_*',
      { EXCLUDE_NUMBERS: 'true', EXCLUDE_PUNCTUATION: 'true', EXCLUDE_UPPERCASE: 'true', EXCLUDE_LOWERCASE: 'true' },
    ],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '4', INCLUDE_SPACE: 'true' }],
    ['EXCLUDE_CHARACTERS', { EXCLUDE_CHARACTERS: 'x'.repeat(4097) }],
  ])('rejects a bad %s at cold start', (variable, env) => {
    let error: unknown;
    try {
      readPasswordPolicy(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable.replace('*', ''));
  });
});

describe('readEngineConfig', () => {
  it('leaves the endpoint to the SDK unless SECRETS_MANAGER_ENDPOINT is set', () => {
    expect(readEngineConfig({}).secretsManagerEndpoint).toBeUndefined();
    expect(readEngineConfig({ SECRETS_MANAGER_ENDPOINT: 'https://vpce.example' }).secretsManagerEndpoint).toBe(
      'https://vpce.example',
    );
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => readEngineConfig({ SECRETS_MANAGER_ENDPOINT: 'not a url' })).toThrow(ConfigurationError);
    expect(() => readEngineConfig({ SECRETS_MANAGER_ENDPOINT: 'ftp://x' })).toThrow(/SECRETS_MANAGER_ENDPOINT/);
  });
});

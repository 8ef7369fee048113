/**
 * The password policy, read from the environment variables AWS's templates use, and turned into
 * a GetRandomPassword request. Unlike the templates, a value we cannot read is a ConfigurationError
 * at cold start instead of a silent `false`.
 */
import type { GetRandomPasswordRequest } from '@aws-sdk/client-secrets-manager';
import { readBoolean, readInteger } from './env.ts';
import { ConfigurationError } from './errors.ts';

export interface PasswordPolicy {
  length: number;
  excludeCharacters: string;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  includeSpace: boolean;
  requireEachIncludedType: boolean;
}

/** AWS's templates exclude these by default: they break URLs, shells and SQL literals. */
export const DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\';

export interface PasswordPolicyDefaults {
  excludeCharacters?: string;
  length?: number;
}

type Env = Record<string, string | undefined>;

export function readPasswordPolicy(env: Env, defaults: PasswordPolicyDefaults = {}): PasswordPolicy {
  const excludeCharacters = env.EXCLUDE_CHARACTERS ?? defaults.excludeCharacters ?? DEFAULT_EXCLUDE_CHARACTERS;
  if (excludeCharacters.length > 4096) {
    throw new ConfigurationError(
      'EXCLUDE_CHARACTERS',
      'Environment variable EXCLUDE_CHARACTERS must be at most 4096 characters',
    );
  }
  const policy: PasswordPolicy = {
    length: readInteger(env, 'PASSWORD_LENGTH', { fallback: defaults.length ?? 32, min: 4, max: 4096 }),
    excludeCharacters,
    excludeNumbers: readBoolean(env, 'EXCLUDE_NUMBERS', false),
    excludePunctuation: readBoolean(env, 'EXCLUDE_PUNCTUATION', false),
    excludeUppercase: readBoolean(env, 'EXCLUDE_UPPERCASE', false),
    excludeLowercase: readBoolean(env, 'EXCLUDE_LOWERCASE', false),
    includeSpace: readBoolean(env, 'INCLUDE_SPACE', false),
    requireEachIncludedType: readBoolean(env, 'REQUIRE_EACH_INCLUDED_TYPE', true),
  };
  assertSatisfiable(policy);
  return policy;
}

/** Catch at cold start what GetRandomPassword would reject (or, on moto, crash on) at rotation time. */
function assertSatisfiable(policy: PasswordPolicy): void {
  const included = [
    !policy.excludeNumbers,
    !policy.excludePunctuation,
    !policy.excludeUppercase,
    !policy.excludeLowercase,
    policy.includeSpace,
  ].filter(Boolean).length;
  if (included === 0) {
    throw new ConfigurationError(
      'EXCLUDE_*',
      'Password policy excludes every character class: ' +
        'set at least one of EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE to false',
    );
  }
  if (policy.requireEachIncludedType && policy.length < included) {
    throw new ConfigurationError(
      'PASSWORD_LENGTH',
      `PASSWORD_LENGTH ${policy.length} is shorter than the ${included} character classes ` +
        `REQUIRE_EACH_INCLUDED_TYPE demands`,
    );
  }
}

export function toGetRandomPasswordRequest(policy: PasswordPolicy): GetRandomPasswordRequest {
  return {
    PasswordLength: policy.length,
    ExcludeCharacters: policy.excludeCharacters === '' ? undefined : policy.excludeCharacters,
    ExcludeNumbers: policy.excludeNumbers,
    ExcludePunctuation: policy.excludePunctuation,
    ExcludeUppercase: policy.excludeUppercase,
    ExcludeLowercase: policy.excludeLowercase,
    IncludeSpace: policy.includeSpace,
    RequireEachIncludedType: policy.requireEachIncludedType,
  };
}

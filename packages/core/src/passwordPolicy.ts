/**
 * The password policy, read from the environment variables AWS's templates use, and turned into
 * a GetRandomPassword request. Unlike the templates, a value we cannot read is a ConfigurationError
 * at cold start instead of a silent `false`.
 */
import type { GetRandomPasswordRequest } from '@aws-sdk/client-secrets-manager';
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

const TRUE_WORDS = new Set(['true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'n', 'no', 'off']);

type Env = Record<string, string | undefined>;

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ConfigurationError(name, `Environment variable ${name} must be true or false (got "${raw}")`);
}

function readLength(env: Env, fallback: number): number {
  const raw = env.PASSWORD_LENGTH?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 4 || value > 4096) {
    throw new ConfigurationError('PASSWORD_LENGTH', `Environment variable PASSWORD_LENGTH must be an integer from 4 to 4096 (got "${raw}")`);
  }
  return value;
}

export function readPasswordPolicy(env: Env, defaults: PasswordPolicyDefaults = {}): PasswordPolicy {
  const excludeCharacters = env.EXCLUDE_CHARACTERS ?? defaults.excludeCharacters ?? DEFAULT_EXCLUDE_CHARACTERS;
  if (excludeCharacters.length > 4096) {
    throw new ConfigurationError('EXCLUDE_CHARACTERS', 'Environment variable EXCLUDE_CHARACTERS must be at most 4096 characters');
  }
  const policy: PasswordPolicy = {
    length: readLength(env, defaults.length ?? 32),
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
  const included = [!policy.excludeNumbers, !policy.excludePunctuation, !policy.excludeUppercase, !policy.excludeLowercase, policy.includeSpace].filter(Boolean).length;
  if (included === 0) {
    throw new ConfigurationError('EXCLUDE_*', 'Password policy excludes every character class: set at least one of EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE to false');
  }
  if (policy.requireEachIncludedType && policy.length < included) {
    throw new ConfigurationError('PASSWORD_LENGTH', `PASSWORD_LENGTH ${policy.length} is shorter than the ${included} character classes REQUIRE_EACH_INCLUDED_TYPE demands`);
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

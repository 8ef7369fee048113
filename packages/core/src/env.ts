/**
 * The one reader of environment variables for the engine and every rotator, so each kind of value
 * means the same everywhere: read once at cold start, a value that cannot be used is a
 * ConfigurationError naming the variable (never a silent default), an unset or empty variable
 * means the default.
 *
 * - booleans: true/false, 1/0, yes/no, y/n, on/off, in any case;
 * - integers: digits only, within an inclusive range;
 * - lists: comma-separated, entries trimmed, empty entries dropped;
 * - CA bundles (`*_CA_BUNDLE_PATH`): a PEM file whose certificates REPLACE the default trust
 *   (Node's roots, plus the Amazon RDS bundle for databases). A private CA therefore pins trust to
 *   it; to keep the public roots as well, put them in the same file.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './errors.ts';

export type Env = Record<string, string | undefined>;

const TRUE_WORDS = new Set(['true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'n', 'no', 'off']);

/** The trimmed value, or undefined when unset or empty. */
export function readString(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ConfigurationError(name, `Environment variable ${name} must be true or false (got "${raw}")`);
}

export function readInteger(env: Env, name: string, options: { fallback: number; min: number; max: number }): number {
  const raw = readString(env, name);
  if (raw === undefined) return options.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < options.min || value > options.max) {
    throw new ConfigurationError(
      name,
      `Environment variable ${name} must be an integer from ${options.min} to ${options.max} (got "${raw}")`,
    );
  }
  return value;
}

export function readList(env: Env, name: string): string[] {
  return (readString(env, name) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigurationError(
      name,
      `Environment variable ${name} must be one of ${choices.join(', ')} (got "${raw}")`,
    );
  }
  return raw as T;
}

/**
 * The CA certificates of the PEM file a `*_CA_BUNDLE_PATH` variable names, which replace the
 * caller's default trust; undefined when the variable is unset (use the defaults).
 */
export function readCaBundle(env: Env, name: string): string[] | undefined {
  const path = readString(env, name);
  if (path === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigurationError(name, `Environment variable ${name} names a file that cannot be read: ${path}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigurationError(name, `Environment variable ${name} must name a PEM file of CA certificates: ${path}`);
  }
  return [pem];
}

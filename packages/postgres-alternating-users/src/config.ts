/**
 * The function's own settings for this rotator (environment, read once at cold start): what it may
 * do beyond what a secret shows. ADOPT_OWNERSHIP is such a permission, so it lives here and not in
 * the secret, whose writer must gain nothing from writing it.
 */
import { ConfigurationError } from '@rotators/core';

export interface AdoptionConfig {
  /** ADOPT_OWNERSHIP=true: the master moves objects the two users own to the owner role (REASSIGN OWNED). */
  adoptOwnership: boolean;
  /** ADOPT_DATABASES: where REASSIGN OWNED runs; undefined = the secret's dbname. */
  databases?: string[];
}

export function readAdoptionConfig(env: Record<string, string | undefined>): AdoptionConfig {
  const raw = env.ADOPT_OWNERSHIP?.trim().toLowerCase() ?? '';
  let adoptOwnership: boolean;
  if (raw === '' || raw === 'false') adoptOwnership = false;
  else if (raw === 'true') adoptOwnership = true;
  else throw new ConfigurationError('ADOPT_OWNERSHIP', `Environment variable ADOPT_OWNERSHIP must be "true" or "false" (got "${env.ADOPT_OWNERSHIP}")`);

  const list = env.ADOPT_DATABASES?.trim();
  if (!list) return { adoptOwnership };
  const databases = list.split(',').map((name) => name.trim());
  if (databases.some((name) => name === '' || /[\u0000-\u001f\u007f]/.test(name) || Buffer.byteLength(name) > 63)) {
    throw new ConfigurationError('ADOPT_DATABASES', 'Environment variable ADOPT_DATABASES must be a comma-separated list of database names (each 1-63 bytes, no control characters)');
  }
  return { adoptOwnership, databases: [...new Set(databases)] };
}

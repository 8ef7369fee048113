/**
 * Revoking keys this rotator no longer needs. Only keys labelled for this secret (labels.ts) are
 * candidates, and the keys AWSCURRENT and AWSPREVIOUS hold are always kept: consumers that cached
 * the previous value keep working for one more rotation interval (the grace period).
 */
import type { RotationLogger } from '@rotators/core';
import type { KeyProviderAdapter, ListedKey } from './adapters/types.ts';
import type { ApiAuth } from './http/client.ts';
import { isCreatedForSecret } from './labels.ts';

export function staleKeys(keys: ListedKey[], secretArn: string, keep: ReadonlySet<string>): string[] {
  return keys.filter((k) => isCreatedForSecret(k.label, secretArn) && !keep.has(k.id)).map((k) => k.id);
}

/**
 * Revoke each id; a failure is logged and the others still run. Returns the ids that failed.
 * A 404 counts as "already gone" only if the key is really gone: the list is read once more, and a
 * key still in it failed. Otherwise a wrong keyPath (every revoke a 404) would be a silent no-op for ever.
 */
export async function revokeAll(
  adapter: KeyProviderAdapter,
  auth: ApiAuth,
  ids: string[],
  logger: RotationLogger,
): Promise<string[]> {
  const failed: string[] = [];
  for (const id of ids) {
    try {
      const outcome = await adapter.revokeKey(auth, id);
      logger.info(outcome === 'revoked' ? 'Revoked an old API key' : 'Old API key was already gone', { keyId: id });
    } catch (error) {
      failed.push(id);
      logger.warn('Could not revoke an old API key; the next rotation tries again', {
        keyId: id,
        error: { name: (error as Error).name, message: (error as Error).message },
      });
    }
  }
  const revoked = ids.filter((id) => !failed.includes(id));
  if (revoked.length === 0) return failed;
  const stillListed = new Set((await adapter.listKeys(auth)).map((k) => k.id));
  for (const id of revoked.filter((i) => stillListed.has(i))) {
    failed.push(id);
    logger.warn('An old API key is still listed after its revocation; check keyPath (API_KEY_PATH) and revokeMethod', {
      keyId: id,
    });
  }
  return failed;
}

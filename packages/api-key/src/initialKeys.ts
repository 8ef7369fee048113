/**
 * API_REVOKE_INITIAL_KEY: the key a secret held before this rotator's first key carries no label
 * of ours, so the clean-up of labelled keys never finds it. Its id comes from the versions: it is
 * the `previousKeyId` of a version that carries no label of this secret. A version records it in
 * `initialKeyIds` until the provider no longer lists it, so a revocation that failed (a 503 through
 * every retry) is retried at the next createSecret instead of leaving the key active for good and
 * the account at its key limit.
 *
 * This trusts ids written in the secret's versions, which is why the setting is off by default and
 * every such revocation logs a WARN.
 */
import type { RotationLogger } from '@rotators/core';
import type { ListedKey } from './adapters/types.ts';
import { isCreatedByRotator } from './labels.ts';
import type { ApiKeySecret } from './schema.ts';

/**
 * Keys named by `version` that are still listed, not in `keep`, and carry no label of this rotator
 * at all: a key it made for another secret of the same account is that secret's to revoke, whatever
 * this secret's versions say.
 */
export function initialKeysDue(version: ApiKeySecret, listed: ListedKey[], keep: ReadonlySet<string>): string[] {
  const named = [...(version.initialKeyIds ?? []), ...(version.previousKeyId ? [version.previousKeyId] : [])];
  return [...new Set(named)].filter(
    (id) => !keep.has(id) && listed.some((k) => k.id === id && !isCreatedByRotator(k.label)),
  );
}

/**
 * What the pending value records: the current version's initial keys and its previousKeyId when
 * that key carries no label of ours, still listed after this step's revocations, minus the keys
 * the pending version itself holds.
 */
export function initialKeysToRecord(
  current: ApiKeySecret,
  listed: ListedKey[],
  revoked: readonly string[],
  pendingHolds: ReadonlySet<string>,
): string[] {
  return initialKeysDue(current, listed, pendingHolds).filter((id) => !revoked.includes(id));
}

export function warnInitialRevocation(logger: RotationLogger, ids: string[]): void {
  for (const keyId of ids) {
    logger.warn(
      'API_REVOKE_INITIAL_KEY=true: revoking a key this rotator did not make (the key the ' +
        "secret held before its first rotation); its id comes from the secret's versions",
      { keyId },
    );
  }
}

/**
 * The api-key rotator: a new key per rotation, created through the provider's API with the current
 * key; the current and previous keys both stay valid (a grace period of one rotation interval);
 * keys older than AWSPREVIOUS that this rotator created are revoked after the promotion.
 */
import {
  PendingTestFailedError,
  type Rotator,
  type StepContext,
  safeCause,
  TargetOperationError,
} from '@rotators/core';
import type { CreatedKey, ListedKey } from './adapters/types.ts';
import { type ApiKeyConfig, readApiKeyConfig } from './config.ts';
import { type HttpFactory, openSession } from './connect.ts';
import { KeyApiError } from './errors.ts';
import { assertCurrentKeyListed, assertPendingIds, assertPendingKeyListed, assertSameProvider } from './guards.ts';
import { initialKeysDue, initialKeysToRecord, warnInitialRevocation } from './initialKeys.ts';
import { labelFor } from './labels.ts';
import { revokeAll, staleKeys } from './retire.ts';
import { type ApiKeySecret, rotatorSchema } from './schema.ts';

export interface ApiKeyRotatorOptions {
  /** Environment to read configuration from, once (config.ts). Default: process.env. */
  env?: Record<string, string | undefined>;
  /** HTTP client factory, one client per step. Default: axios with retries (http/client.ts). Tests wrap it. */
  createHttp?: HttpFactory;
}

export function createApiKeyRotator(options: ApiKeyRotatorOptions = {}): Rotator<ApiKeySecret> {
  const config: ApiKeyConfig = readApiKeyConfig(options.env);
  let warnedSecretSettings = false;
  const adapterFor = (secret: ApiKeySecret, version: string, ctx: StepContext) => {
    if (config.secretSettings && !warnedSecretSettings) {
      warnedSecretSettings = true;
      ctx.logger.warn(
        "API_SECRET_SETTINGS=true: a secret's api settings and provider are used, " +
          'so whoever can write a secret chooses the paths, the auth header and the ' +
          'response fields copied into it (the host stays within the allowed hosts)',
      );
    }
    return openSession(secret, version, config, ctx, options.createHttp);
  };

  return {
    name: 'api-key',
    schema: rotatorSchema(config),
    // The engine refuses an AWSPENDING that differs from AWSCURRENT in any other field.
    rotatedFields: ['apiKey', 'keyId', 'previousKeyId', 'initialKeyIds'],

    async createPending(current, ctx) {
      const adapter = adapterFor(current, 'AWSCURRENT', ctx);
      const auth = { key: current.apiKey, role: 'the current key' };
      const label = labelFor(ctx.secretId, ctx.token);
      const keys = await adapter.listKeys(auth);
      // Before anything is created or revoked: a keyId written by hand that is not a key of this
      // account would make every retry create another key, and the keep-set below revoke the real one.
      assertCurrentKeyListed(current, keys, ctx);

      // A crash after the provider created the key but before PutSecretValue left a key with this label.
      const earlier = keys.find((k) => k.label === label);

      // Keys whose revocation failed at an earlier finishSecret still count against the provider's
      // key limit: retry them before creating. Labelled keys only when we know which key AWSPREVIOUS
      // holds; with API_REVOKE_INITIAL_KEY also the recorded initial key (initialKeys.ts).
      const keep = new Set([
        current.keyId,
        ...(current.previousKeyId ? [current.previousKeyId] : []),
        ...(earlier ? [earlier.id] : []),
      ]);
      const stale = current.previousKeyId ? staleKeys(keys, ctx.secretId, keep) : [];
      const initialDue = config.revokeInitialKey ? initialKeysDue(current, keys, keep) : [];
      warnInitialRevocation(ctx.logger, initialDue);
      const due = [...stale, ...initialDue];
      const failed = due.length > 0 ? await revokeAll(adapter, auth, due, ctx.logger) : [];

      let created: CreatedKey;
      if (earlier?.key) {
        created = { id: earlier.id, key: earlier.key };
        ctx.logger.info('createSecret: reusing the key an earlier attempt created', { keyId: created.id, label });
      } else {
        if (earlier) {
          // The provider shows a key's value only once, so that key cannot be stored: revoke it, make another.
          await adapter.revokeKey(auth, earlier.id);
          ctx.logger.info('createSecret: revoked the key an earlier attempt created (its value cannot be read back)', {
            keyId: earlier.id,
            label,
          });
        }
        created = await adapter.createKey(auth, label);
        ctx.logger.info('createSecret: created a new key', { keyId: created.id, label });
      }
      const { initialKeyIds: _carried, ...rest } = current;
      const revoked = initialDue.filter((id) => !failed.includes(id));
      const initialKeyIds = config.revokeInitialKey
        ? initialKeysToRecord(current, keys, revoked, new Set([created.id, current.keyId]))
        : [];
      return {
        ...rest,
        apiKey: created.key,
        keyId: created.id,
        previousKeyId: current.keyId,
        ...(initialKeyIds.length > 0 ? { initialKeyIds } : {}),
      };
    },

    async setPending({ current, pending }, ctx) {
      assertSameProvider(current, pending, { reference: 'AWSCURRENT', other: 'AWSPENDING' }, config, ctx);
      // The provider activates a key when it creates it: nothing to apply.
    },

    async testPending({ current, pending }, ctx) {
      assertSameProvider(current, pending, { reference: 'AWSCURRENT', other: 'AWSPENDING' }, config, ctx);
      // The guard above only proves the pending key is for the same base URL. Someone allowed to
      // PutSecretValue could still plant a key of another account of the same provider, or ids that
      // make a later finishSecret revoke a key no rotator made. So the pending value must be the one
      // createSecret built: it follows AWSCURRENT, and its key lists itself under this rotation's label.
      assertPendingIds(current, pending, ctx);
      const adapter = adapterFor(pending, 'AWSPENDING', ctx);
      const auth = { key: pending.apiKey, role: 'the pending key' };
      let listed: ListedKey[];
      try {
        await adapter.testKey(auth);
        // Listing also proves the new key can manage keys, which the next rotation needs.
        listed = await adapter.listKeys(auth);
      } catch (error) {
        if (error instanceof KeyApiError && (error.kind === 'authentication' || error.kind === 'forbidden')) {
          throw new PendingTestFailedError(
            `The pending key (id ${pending.keyId}) does not work: ${error.message}`,
            ctx,
            { cause: safeCause(error) },
          );
        }
        throw error;
      }
      assertPendingKeyListed(current, pending, listed, labelFor(ctx.secretId, ctx.token), ctx);
      ctx.logger.info('testSecret: the pending key works and belongs to this rotation', { keyId: pending.keyId });
    },

    async testConfiguration(current, ctx) {
      // RotateImmediately=false: no new key exists. The function must be able to reach the provider
      // and manage keys with the current one, which is what the next real rotation will do.
      const adapter = adapterFor(current, 'AWSCURRENT', ctx);
      const auth = { key: current.apiKey, role: 'the current key' };
      await adapter.testKey(auth);
      assertCurrentKeyListed(current, await adapter.listKeys(auth), ctx);
      ctx.logger.info('testSecret: configuration test passed: the current key works and can list keys', {
        keyId: current.keyId,
      });
    },

    async afterFinish({ current, previous: beforeMove }, ctx) {
      // The engine always passes the version AWSCURRENT held before the move (core steps/finishSecret.ts).
      const previous = beforeMove!;
      assertSameProvider(current, previous, { reference: 'AWSCURRENT', other: 'AWSPREVIOUS' }, config, ctx);
      const adapter = adapterFor(current, 'AWSCURRENT', ctx);
      const auth = { key: current.apiKey, role: 'the current key' };
      const keep = new Set([current.keyId, previous.keyId]);
      const listed = await adapter.listKeys(auth);
      const revoke = staleKeys(listed, ctx.secretId, keep);
      if (config.revokeInitialKey) {
        // The previous version's previousKeyId covers versions written before initialKeyIds existed.
        const initial = [
          ...new Set([...initialKeysDue(current, listed, keep), ...initialKeysDue(previous, listed, keep)]),
        ];
        warnInitialRevocation(ctx.logger, initial);
        revoke.push(...initial);
      }

      const failed = await revokeAll(adapter, auth, revoke, ctx.logger);
      if (failed.length > 0) {
        throw new TargetOperationError(
          `Could not revoke ${failed.length} old key(s) (${failed.join(', ')}); ` +
            'AWSCURRENT has moved and the next rotation tries again',
          ctx,
        );
      }
      ctx.logger.info('finishSecret: old keys revoked; AWSCURRENT and AWSPREVIOUS keys kept', {
        revoked: revoke.length,
      });
    },
  };
}

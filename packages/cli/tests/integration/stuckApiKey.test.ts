/**
 * api-key against the test kit's key API (HTTPS, verified): the provider activates a key when it
 * creates it, so after createSecret, setSecret or testSecret AWSPENDING already authenticates and
 * repair finishes the rotation forward. A createSecret whose reply was lost leaves the empty
 * AWSPENDING and a key at the provider: repair removes the label and revokes that key, with the
 * api-key rotator's own clean-up.
 */
import { readSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { statusWith } from '../../../api-key/tests/helpers/harness.ts';
import {
  anHourLater,
  cli,
  type CrashPoint,
  CRASH_POINTS,
  useKeyApi,
  provesStuckRepair,
  stopAfter,
} from '../helpers/harness.ts';

const keyApi = useKeyApi();

async function setUp() {
  const { client, service, secretId, account } = await keyApi.apiKeySecret('cli-api-key');
  const currentWorks = async () =>
    statusWith(keyApi.api, (await readSecret<{ apiKey: string }>(client, secretId, 'AWSCURRENT'))!.apiKey).then(
      (s) => s === 200,
    );
  return { client, service, secretId, account, currentWorks };
}

describe('api-key: stuck rotations', () => {
  for (const step of CRASH_POINTS as readonly CrashPoint[]) {
    it(`after ${step}: the new key already authenticates, so repair finishes the rotation forward`, async () => {
      const { client, service, secretId, currentWorks } = await setUp();
      await service.rotate(secretId);
      const token = await stopAfter(service, client, secretId, step);
      const pending = (await readSecret<{ keyId: string }>(client, secretId, 'AWSPENDING', token))!;
      const { repaired } = await provesStuckRepair(
        { client, service, secretId, token, env: keyApi.env, currentWorks },
        {
          explains:
            /stopped before finishSecret: AWSPENDING already works on the key API and passes the testSecret check/,
          action: 'finish',
        },
      );
      expect(repaired.json.after.stages[token]).toEqual(['AWSCURRENT']);
      expect(pending.keyId).toBeTruthy();
    });
  }

  it('createSecret whose reply was lost: the label is removed and the key the provider made is revoked', async () => {
    const { client, service, secretId, account, currentWorks } = await setUp();
    await service.rotate(secretId);
    const current = (await readSecret<{ keyId: string }>(client, secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<{ keyId: string }>(client, secretId, 'AWSPREVIOUS'))!;
    keyApi.api.injectFault({ route: 'POST /keys', fault: { kind: 'lost-reply', replaceWith: 502 } });
    const token = await service.start(secretId);
    await expect(service.runStep(secretId, 'createSecret', token)).rejects.toThrow();
    const orphan = keyApi.api.keys(account.accountId).find((k) => k.label?.endsWith(`:${token}`));
    expect(orphan, 'the provider created a key for this rotation').toBeDefined();
    expect(orphan!.revoked).toBeUndefined();

    const doctor = await cli(['doctor', secretId, '--json'], { env: keyApi.env, now: anHourLater() });
    const revokeText = doctor.json.actions.find((a: { kind: string }) => a.kind === 'revoke-created-keys').text;
    expect(revokeText).toContain(
      `neither AWSCURRENT (key ${current.keyId}) nor AWSPREVIOUS (key ${previous.keyId}) holds`,
    );

    const { repaired } = await provesStuckRepair(
      { client, service, secretId, token, env: keyApi.env, currentWorks },
      {
        explains: /stopped before createSecret stored a new value.*The provider may hold a key createSecret created/,
        action: 'remove-pending',
        extraActions: ['revoke-created-keys'],
      },
    );
    const revoked = repaired.json.applied.find((a: { kind: string }) => a.kind === 'revoke-created-keys');
    expect(revoked.detail).toBe(`revoked key ${orphan!.id}`);
    expect(keyApi.api.keys(account.accountId).find((k) => k.id === orphan!.id)!.revoked).toBeDefined();
    // The keys AWSCURRENT and AWSPREVIOUS held at the time were kept.
    expect(repaired.json.after.stages[current.versionId]).toEqual(['AWSCURRENT']);
    for (const id of [current.keyId, previous.keyId])
      expect(keyApi.api.keys(account.accountId).find((k) => k.id === id)!.revoked).toBeUndefined();
  });
});

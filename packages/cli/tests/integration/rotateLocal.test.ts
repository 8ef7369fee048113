/**
 * `rotators rotate <secret> --local`: the four steps with the rotator's handler, from this machine,
 * against moto and the key API; refused while a rotation is unfinished or rotation is off. And
 * repair turning rotation back on after it was turned off mid-rotation.
 */
import { CancelRotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createSecret, readSecret, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { statusWith } from '../../../api-key/tests/helpers/harness.ts';
import { genericPasswordRotator } from '../../../generic-password/src/rotator.ts';
import {
  anHourLater,
  cli,
  localRotation,
  useKeyApi,
  rememberVersions,
  snapshot,
  stopAfter,
} from '../helpers/harness.ts';

const keyApi = useKeyApi();

async function apiKeySecret() {
  const { client, service, secretId, account } = await keyApi.apiKeySecret('cli-rotate');
  // Rotation configured (as Terraform does), with one rotation done.
  await service.rotate(secretId);
  await rememberVersions(client, secretId);
  return { client, service, secretId, account };
}

describe('rotate --local', () => {
  it(
    "runs the four steps with the rotator's handler: " + 'a line per step, labels before and after, the new key works',
    async () => {
      const { client, secretId } = await apiKeySecret();
      const before = (await readSecret<{ apiKey: string }>(client, secretId, 'AWSCURRENT'))!;
      const run = await cli(['rotate', secretId, '--local', '--json'], { env: keyApi.env });
      await rememberVersions(client, secretId);
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ rotated: true, rotator: { name: 'api-key', chosenBy: "the secret's fields" } });
      expect(run.json.steps.map((s: { step: string; ok: boolean }) => `${s.step}:${s.ok}`)).toEqual([
        'createSecret:true',
        'setSecret:true',
        'testSecret:true',
        'finishSecret:true',
      ]);
      for (const step of run.json.steps) expect(step.seconds).toBeGreaterThan(0);
      expect(run.json.after.stages[run.json.token]).toEqual(['AWSCURRENT']);
      expect(run.json.after.stages[before.versionId]).toEqual(['AWSPREVIOUS']);
      expect(run.json.after.verdict).toBe('healthy');
      const current = (await readSecret<{ apiKey: string }>(client, secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(run.json.token);
      expect(await statusWith(keyApi.api, current.apiKey)).toBe(200);
      expect(await statusWith(keyApi.api, before.apiKey)).toBe(200); // the grace period: AWSPREVIOUS still works

      const text = await cli(['rotate', secretId, '--local'], { env: keyApi.env });
      await rememberVersions(client, secretId);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/^ {2}createSecret +\d+\.\d\d s +ok$/m);
      expect(text.out).toMatch(/^ {2}finishSecret +\d+\.\d\d s +ok$/m);
      expect(text.out).toMatch(/^before\n {2}VERSION +LABELS +CREATED\n/m);
      expect(text.out).toMatch(/^rotated: AWSCURRENT is version \S+$/m);
    },
  );

  it(
    'a step that fails stops the rotation and says so; ' +
      'it is then an unfinished rotation, and rotate refuses to start another',
    async () => {
      const { client, secretId } = await apiKeySecret();
      keyApi.api.injectFault({ route: 'POST /keys', fault: { kind: 'status', status: 403 }, times: 1 });
      const failed = await cli(['rotate', secretId, '--local'], { env: keyApi.env });
      await rememberVersions(client, secretId);
      expect(failed.code).toBe(1);
      expect(failed.out).toMatch(/^ {2}createSecret +\d+\.\d\d s +FAILED KeyApiError: POST \/keys answered HTTP 403/m);
      expect(failed.out).toMatch(
        new RegExp(
          'NOT rotated: createSecret failed, and rotation \\S+ is unfinished ' +
            '\\(AWSPENDING stays on it\\)\\. Next: rotators doctor ',
        ),
      );
      const again = await cli(['rotate', secretId, '--local', '--json'], { env: keyApi.env });
      expect(again.code).toBe(1);
      expect(again.json.refused).toMatch(/is unfinished \(AWSPENDING is on it\)/);
      const status = await cli(['status', secretId, '--json'], { now: anHourLater() });
      expect(status.json.verdict).toBe('stuck');
    },
  );

  it('refused when rotation is not configured or turned off', async () => {
    const client = secretsManagerClient(motoEndpoint());
    const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-rotate');
    const none = await cli(['rotate', secretId, '--local']);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/^not rotated: rotation is not configured for this secret/);
    const { secretId: off } = await apiKeySecret();
    await client.send(new CancelRotateSecretCommand({ SecretId: off }));
    const before = await snapshot(client, off);
    const refused = await cli(['rotate', off, '--local'], { env: keyApi.env });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/rotation is turned off; RotateSecret would turn it back on/);
    expect(await snapshot(client, off)).toEqual(before);
  });
});

describe('repair of a rotation turned off mid-way', () => {
  it('finishes the stuck rotation, then turns rotation back on with the same function and schedule', async () => {
    const { client, service } = await localRotation(genericPasswordRotator);
    const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-disabled');
    await service.rotate(secretId);
    const token = await stopAfter(service, client, secretId, 'createSecret');
    await client.send(new CancelRotateSecretCommand({ SecretId: secretId }));

    const doctor = await cli(['doctor', secretId, '--json'], { now: anHourLater() });
    expect(doctor.json.verdict).toBe('stuck');
    expect(doctor.json.actions.map((a: { kind: string }) => a.kind)).toEqual(['finish', 'enable-rotation']);
    expect(doctor.json.actions[1].byHand).toMatch(
      new RegExp(
        '^aws secretsmanager rotate-secret --secret-id \\S+ --rotation-lambda-arn \\S+ ' +
          '--rotation-rules AutomaticallyAfterDays=30 --no-rotate-immediately$',
      ),
    );

    const repaired = await cli(['repair', secretId, '--apply', '--json'], { now: anHourLater() });
    await rememberVersions(client, secretId);
    expect(repaired.json.applied.map((a: { kind: string; ok: boolean }) => `${a.kind}:${a.ok}`)).toEqual([
      'finish:true',
      'enable-rotation:true',
    ]);
    expect(repaired.json.after.stages[token]).toEqual(['AWSCURRENT']);
    expect(repaired.code).toBe(0);
    // RotateImmediately=false: Secrets Manager tests the configuration (testSecret alone) on a new
    // AWSPENDING version, then removes its label. moto does neither; the test kit's service does.
    const testVersion = repaired.json.after.configurationTest;
    expect(testVersion).toBeTruthy();
    await service.runStep(secretId, 'testSecret', testVersion);
    await service.cleanUpPending(secretId, testVersion);
    const status = await cli(['status', secretId, '--json']);
    expect(status.json).toMatchObject({
      verdict: 'healthy',
      rotation: { enabled: true, schedule: { automaticallyAfterDays: 30 } },
    });
    expect(status.json.rotation.function.name).toBe('rotators-testkit-rotation');
  });

  it('rotation turned off, nothing stuck: disabled; repair turns it back on', async () => {
    const { client, service } = await localRotation(genericPasswordRotator);
    const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-disabled');
    await service.rotate(secretId);
    await rememberVersions(client, secretId);
    await client.send(new CancelRotateSecretCommand({ SecretId: secretId }));
    const status = await cli(['status', secretId]);
    expect(status.code).toBe(1);
    expect(status.out).toMatch(/^verdict +disabled: rotation is turned off for this secret$/m);
    expect(status.out).toMatch(/^next +rotators repair \S+ +\(turns rotation back on\)$/m);
    const dry = await cli(['repair', secretId]);
    expect(dry.code).toBe(1);
    expect(dry.out).toMatch(
      /1\. turn rotation back on with function \S+ \(every 30 days\) and RotateImmediately=false/,
    );
    const repaired = await cli(['repair', secretId, '--apply', '--json']);
    await rememberVersions(client, secretId);
    expect(repaired.code).toBe(0);
    expect(repaired.json.applied).toEqual([expect.objectContaining({ kind: 'enable-rotation', ok: true })]);
  });
});

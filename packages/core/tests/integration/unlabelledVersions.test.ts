/**
 * setSecret's `newerUnlabelled`: the versions no staging label holds that were created after
 * AWSCURRENT (an abandoned rotation's AWSPENDING), against moto: which are handed over and in what
 * order, that each is held to AWSCURRENT as AWSPENDING is, and what it costs in Secrets Manager calls.
 */
import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { SetPendingVersions, UnlabelledVersion } from '../../src/rotator.ts';
import { MAX_UNLABELLED_VERSIONS } from '../../src/steps/stepRun.ts';
import { capturedOutput, plantUnlabelled, rememberSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator, type TestSecret } from '../helpers/harness.ts';

/** A password the leak guard watches for. */
function password(tag: string): string {
  const value = `pw-${tag}-${randomUUID()}`;
  rememberSecret(value);
  return value;
}

/** A rotator whose setPending asks for the unlabelled versions (`calls` times) and keeps what it got. */
function askingRotator(calls = 1) {
  const seen: Array<readonly UnlabelledVersion<TestSecret>[]> = [];
  const rotator = recordingRotator({
    async setPending(versions: SetPendingVersions<TestSecret>) {
      for (let i = 0; i < calls; i += 1) seen.push(await versions.newerUnlabelled!());
    },
  });
  return { rotator, seen };
}

/** The JSON log lines (WARN or INFO) that mention `text`. */
function logLines(text: string): Array<Record<string, unknown>> {
  return capturedOutput()
    .split('\n')
    .filter((line) => line.includes(text) && line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('setSecret: versions without a staging label newer than AWSCURRENT', () => {
  it(
    `hands over those created after AWSCURRENT, newest first, ` +
      `at most ${MAX_UNLABELLED_VERSIONS}, read once and only when asked`,
    async () => {
      const { rotator, seen } = askingRotator(2);
      const { handler, admin, service, probe, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      // Older than AWSCURRENT: planted, then a new AWSCURRENT put by hand.
      const older = await plantUnlabelled(admin, secretId, { password: password('older'), label: 'kept' });
      await admin.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: JSON.stringify({ password: password('current'), label: 'kept' }),
          VersionStages: ['AWSCURRENT'],
        }),
      );
      const newer: string[] = [];
      for (let i = 0; i < MAX_UNLABELLED_VERSIONS + 1; i += 1)
        newer.push(await plantUnlabelled(admin, secretId, { password: password(`newer${i}`), label: 'kept' }));

      const token = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
      probe.reset();
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });

      const newestFirst = [...newer].reverse().slice(0, MAX_UNLABELLED_VERSIONS);
      expect(seen).toHaveLength(2);
      expect(seen[0]!.map((v) => v.versionId)).toEqual(newestFirst);
      expect(seen[0]!.every((v) => v.value.label === 'kept' && v.value.password.startsWith('pw-newer'))).toBe(true);
      expect(seen[1]).toBe(seen[0]);
      expect(seen[0]!.map((v) => v.versionId)).not.toContain(older);
      // Asked twice, read once: one listing, one GetSecretValue per chosen version by its id alone
      // (no stage to pass), besides AWSCURRENT, AWSPENDING and AWSPREVIOUS.
      expect(probe.count('ListSecretVersionIdsCommand')).toBe(1);
      expect(probe.inputs.find((c) => c.command === 'ListSecretVersionIdsCommand')!.input).toMatchObject({
        IncludeDeprecated: true,
      });
      const reads = probe.inputs.filter((c) => c.command === 'GetSecretValueCommand').map((c) => c.input);
      expect(reads).toHaveLength(3 + MAX_UNLABELLED_VERSIONS);
      expect(
        reads
          .filter((input) => input.VersionStage === undefined)
          .map((input) => input.VersionId)
          .sort(),
      ).toEqual([...newestFirst].sort());
      expect(new Set(reads.map((input) => `${input.VersionId}/${input.VersionStage}`)).size).toBe(reads.length);
    },
  );

  it('costs nothing when the rotator does not ask: no ListSecretVersionIds, no extra read', async () => {
    const { handler, admin, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    await plantUnlabelled(admin, secretId, { password: password('unused'), label: 'kept' });
    const token = await service.start(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    probe.reset();
    await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
    expect(probe.count('ListSecretVersionIdsCommand')).toBe(0);
    expect(probe.count('GetSecretValueCommand')).toBe(3);
  });

  it(
    'skips, with a WARN each naming the version id but never its value, ' +
      'versions that cannot be used, however many are newer than the real one',
    async () => {
      const { rotator, seen } = askingRotator();
      const { handler, admin, service, probe, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      // The real one is the oldest: more versions that cannot be used than MAX_UNLABELLED_VERSIONS
      // are newer (anyone who can write the secret can add them), and must not push it out.
      const good = await plantUnlabelled(admin, secretId, { password: password('good'), label: 'kept' });
      const bad = {
        notJson: await plantUnlabelled(admin, secretId, `{"password": "${password('unterminated')}`),
        wrongType: await plantUnlabelled(admin, secretId, { password: 4242424242, label: 'kept' }),
        binaryOnly: await plantUnlabelled(admin, secretId, new TextEncoder().encode(password('binary'))),
        // A rotation abandoned before its createSecret: RotateSecret's version without a value.
        placeholder: await service.start(secretId),
      };
      await admin.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: bad.placeholder,
        }),
      );
      const token = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
      probe.reset();
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });

      expect(seen[0]!.map((v) => v.versionId)).toEqual([good]);
      expect(seen[0]![0]!.value.password).toMatch(/^pw-good-/);
      for (const [what, versionId] of Object.entries(bad)) {
        const warns = logLines(versionId).filter((line) => line.level === 'WARN');
        expect(warns, what).toHaveLength(1);
        expect(warns[0]!.versionId).toBe(versionId);
      }
      expect(logLines(bad.wrongType).find((l) => l.level === 'WARN')!.fields).toEqual(['password']);
      expect(logLines(bad.binaryOnly).find((l) => l.level === 'WARN')!.message).toContain('has no value');
      expect(capturedOutput()).not.toContain('4242424242');
      // One GetSecretValue per version walked through, besides AWSCURRENT, AWSPENDING and AWSPREVIOUS.
      expect(probe.count('GetSecretValueCommand')).toBe(3 + Object.keys(bad).length + 1);
    },
  );

  it(
    'a version that fits the schema but differs from AWSCURRENT outside rotatedFields ends the walk: ' +
      'it and every older version are left out',
    async () => {
      const { rotator, seen } = askingRotator();
      const { handler, admin, service, probe, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      // Older than the version of another label: from before the change, so never read.
      const beforeTheChange = await plantUnlabelled(admin, secretId, { password: password('before'), label: 'kept' });
      const otherLabel = await plantUnlabelled(admin, secretId, {
        password: password('other-label'),
        label: 'attacker',
      });
      const notJson = await plantUnlabelled(admin, secretId, `{"password": "${password('unterminated')}`);
      const token = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
      probe.reset();
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });

      expect(seen[0]).toEqual([]);
      const read = probe.inputs
        .filter((c) => c.command === 'GetSecretValueCommand' && c.input.VersionStage === undefined)
        .map((c) => c.input.VersionId);
      expect(read).toEqual([notJson, otherLabel]);
      expect(capturedOutput()).not.toContain(beforeTheChange);
      const warns = logLines(otherLabel).filter((line) => line.level === 'WARN');
      expect(warns).toHaveLength(1);
      expect(warns[0]!.fields).toEqual(['label']);
      expect(warns[0]!.versionId).toBe(otherLabel);
      expect(warns[0]!.message).toContain(
        `version ${otherLabel} (no staging label) is not used: it differs from AWSCURRENT in "label"`,
      );
      expect(warns[0]!.message).not.toContain('AWSPENDING');
      expect(capturedOutput()).not.toContain('attacker');
    },
  );

  it(
    'AWSCURRENT moved back (UpdateSecretVersionStage) to a version from before the secret was re-pointed: ' +
      'the versions of the old target are not handed over',
    async () => {
      const { rotator, seen } = askingRotator();
      const { handler, admin, service, newSecret } = await harness(rotator);
      const secretId = await newSecret({ password: password('old-target-1'), label: 'old-target' });
      const oldCurrent = Object.entries(await service.stages(secretId)).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )![0];
      // Versions of the old target after it (an abandoned rotation of it, say), then the re-pointing.
      const oldTarget = [
        await plantUnlabelled(admin, secretId, { password: password('old-target-2'), label: 'old-target' }),
        await plantUnlabelled(admin, secretId, { password: password('old-target-3'), label: 'old-target' }),
      ];
      const rePointed = randomUUID();
      await admin.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: rePointed,
          SecretString: JSON.stringify({ password: password('new-target'), label: 'new-target' }),
          VersionStages: ['AWSCURRENT'],
        }),
      );
      // A writer of the secret moves AWSCURRENT back.
      await admin.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: oldCurrent,
          RemoveFromVersionId: rePointed,
        }),
      );
      const stages = await service.stages(secretId);
      expect(stages[oldCurrent]).toContain('AWSCURRENT');
      // As on AWS, the version AWSCURRENT left is now AWSPREVIOUS: a walk of unlabelled versions alone
      // would not see it.
      expect(stages[rePointed]).toEqual(['AWSPREVIOUS']);

      const token = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });

      expect(seen[0]).toEqual([]);
      for (const versionId of oldTarget) expect(capturedOutput()).not.toContain(versionId);
      const warn = logLines(rePointed).find((line) => line.level === 'WARN');
      expect(warn!.fields).toEqual(['label']);
      expect(warn!.message).toContain('neither it nor any older version is tried');
    },
  );

  it(
    'skips the empty placeholder of a rotation abandoned before its createSecret, ' +
      'and the rotation abandoned after it is handed over',
    async () => {
      const { rotator, seen } = askingRotator();
      const { handler, admin, service, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      const abandon = async (token: string) =>
        admin.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: token,
          }),
        );
      // A: createSecret ran, then abandoned (an operator removed its AWSPENDING, as AWS advises).
      const a = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: a });
      await abandon(a);
      // B: abandoned before createSecret: a version without a value.
      const b = await service.start(secretId);
      await abandon(b);
      const c = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: c });
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: c });

      expect(seen[0]!.map((v) => v.versionId)).toEqual([a]);
      expect(logLines(b).some((line) => String(line.message).includes('has no value'))).toBe(true);
    },
  );

  it(
    'a refused ListSecretVersionIds is a WARN naming the missing permission, ' + 'no versions, and the step goes on',
    async () => {
      const { rotator, seen } = askingRotator();
      const { handler, admin, service, probe, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      await plantUnlabelled(admin, secretId, { password: password('denied'), label: 'kept' });
      const token = await service.start(secretId);
      await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
      probe.failNext(
        'ListSecretVersionIdsCommand',
        Object.assign(new Error('not authorized to perform: secretsmanager:ListSecretVersionIds'), {
          name: 'AccessDeniedException',
          $fault: 'client',
        }),
      );
      await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
      expect(seen).toEqual([[]]);
      const warn = logLines("could not list the secret's versions").find(
        (l) => l.level === 'WARN' && l.clientRequestToken === token,
      );
      expect(warn!.message).toContain("the function's role needs secretsmanager:ListSecretVersionIds");
    },
  );

  it('a failed read of one version leaves out that version only', async () => {
    const { rotator, seen } = askingRotator();
    const { handler, admin, service, probe, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const first = await plantUnlabelled(admin, secretId, { password: password('first'), label: 'kept' });
    const second = await plantUnlabelled(admin, secretId, { password: password('second'), label: 'kept' });
    const token = await service.start(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    // AWSCURRENT, AWSPENDING and AWSPREVIOUS pass; the first read of an unlabelled version is throttled.
    probe.failNext(
      'GetSecretValueCommand',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }),
      { skip: 3 },
    );
    await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
    expect(seen[0]).toHaveLength(1);
    expect([first, second]).toContain(seen[0]![0]!.versionId);
    expect(
      logLines('it is not tried').some((l) => l.level === 'WARN' && String(l.message).includes('(no staging label)')),
    ).toBe(true);
  });
});

/**
 * generic-password: each stuck state a crash can leave (after createSecret, setSecret, testSecret)
 * is `stuck` for status, explained by doctor, unchanged by a dry-run repair, and healthy after
 * repair --apply. With no service behind the secret, a pending value is as good as the current one
 * once it is stored: repair finishes the rotation forward.
 */
import { createSecret, readSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { genericPasswordRotator } from '../../../generic-password/src/rotator.ts';
import {
  anHourLater,
  cli,
  CRASH_POINTS,
  localRotation,
  provesStuckRepair,
  snapshot,
  stopAfter,
} from '../helpers/harness.ts';

async function setUp() {
  const { client, service } = await localRotation(genericPasswordRotator);
  const secretId = await createSecret(
    client,
    { password: `initial-${crypto.randomUUID()}`, team: 'payments' },
    'cli-generic',
  );
  return { client, service, secretId };
}

describe('generic-password: stuck rotations', () => {
  for (const step of CRASH_POINTS) {
    it(`after ${step}: stuck, explained, dry run changes nothing, --apply finishes it forward`, async () => {
      const { client, service, secretId } = await setUp();
      await service.rotate(secretId); // an AWSPREVIOUS exists, as in a secret that has rotated before
      const token = await stopAfter(service, client, secretId, step);
      const { repaired } = await provesStuckRepair(
        {
          client,
          service,
          secretId,
          token,
          env: {},
          currentWorks: async () => typeof (await readSecret(client, secretId, 'AWSCURRENT'))?.password === 'string',
        },
        {
          explains: /stopped after createSecret stored the new value; generic-password has nothing to set or test/,
          action: 'finish',
        },
      );
      expect(repaired.json.after.stages[token]).toEqual(['AWSCURRENT']);
    });
  }

  it(
    'before createSecret (the empty AWSPENDING version): ' + 'the stale label is removed, AWSCURRENT unchanged',
    async () => {
      const { client, service, secretId } = await setUp();
      const current = (await readSecret(client, secretId, 'AWSCURRENT'))!;
      const token = await stopAfter(service, client, secretId, 'RotateSecret');
      await provesStuckRepair(
        {
          client,
          service,
          secretId,
          token,
          env: {},
          currentWorks: async () => (await readSecret(client, secretId, 'AWSCURRENT')) !== undefined,
        },
        { explains: /stopped before createSecret stored a new value/, action: 'remove-pending' },
      );
      // The removal left AWSCURRENT where it was (the next rotation in provesStuckRepair moved it on).
      expect((await readSecret(client, secretId, 'AWSPREVIOUS'))!.versionId).toBe(current.versionId);
    },
  );

  it('a rotation younger than its window is "rotating", and repair leaves it alone', async () => {
    const { client, service, secretId } = await setUp();
    const token = await stopAfter(service, client, secretId, 'createSecret');
    const status = await cli(['status', secretId, '--json']);
    expect(status.json.verdict).toBe('rotating');
    expect(status.json.pending).toMatchObject({ versionId: token, windowSeconds: 12 });
    const repair = await cli(['repair', secretId, '--apply', '--json']);
    expect(repair.code).toBe(1);
    expect(repair.json.plan.blocked).toMatch(/a rotation may still be running/);
    expect(repair.json.applied).toEqual([]);
    // The same state an hour later is stuck.
    expect((await cli(['status', secretId, '--json'], { now: anHourLater() })).json.verdict).toBe('stuck');
  });

  it(
    'overdue: rotation on but not run within its schedule plus a day; ' +
      'doctor says where to look, repair has no label to fix',
    async () => {
      const { client, service, secretId } = await setUp();
      await service.rotate(secretId);
      const fortyDaysLater = new Date(Date.now() + 40 * 86_400_000);
      const status = await cli(['status', secretId], { now: fortyDaysLater });
      expect(status.code).toBe(1);
      expect(status.out).toMatch(
        /^verdict +overdue: last rotated 40 days ago; the schedule \(every 30 days\) wanted a rotation by /m,
      );
      const doctor = await cli(['doctor', secretId, '--json'], { now: fortyDaysLater });
      expect(doctor.code).toBe(1);
      expect(doctor.json.diagnosis.join(' ')).toMatch(/^Overdue: /);
      expect(doctor.json.actions).toEqual([]);
      expect(doctor.json.manual.join(' ')).toMatch(/rotators rotate \S+ --local/);
      const before = await snapshot(client, secretId);
      const repair = await cli(['repair', secretId, '--apply', '--json'], { now: fortyDaysLater });
      expect(repair.code).toBe(1);
      expect(repair.json.applied).toEqual([]);
      expect(await snapshot(client, secretId)).toEqual(before);
    },
  );
});

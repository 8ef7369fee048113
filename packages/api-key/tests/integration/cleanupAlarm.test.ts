/**
 * The Terraform module's clean-up alarm counts lines matching a metric filter pattern
 * (terraform/modules/rotation-function/alarms.tf). This ties the pattern to the line a real
 * failed clean-up writes: rename the message in the engine, or change the pattern, and this fails
 * here instead of the alarm going quiet in production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturedOutput, type KeyApiServer, repoRoot, startKeyApi } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hclStringLiteral, matchesJsonPattern } from '../helpers/cloudwatchPattern.ts';
import { setUp } from '../helpers/harness.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

const alarms = readFileSync(join(repoRoot, 'terraform/modules/rotation-function/alarms.tf'), 'utf8');
const pattern = hclStringLiteral(alarms, 'cleanup_failed_pattern');

describe('the clean-up failure alarm', () => {
  it(
    'its filter pattern matches the one line a rotation whose ' +
      'clean-up failed writes, and no line of a rotation that went well',
    async () => {
      const fx = await setUp(api, { account: { maxActiveKeys: 5 } });
      const good = await fx.service.rotate(fx.secretId);
      await fx.service.rotate(fx.secretId);
      // The third rotation must revoke the first key; every revocation answers 503.
      api.injectFault({ route: 'DELETE /keys/*', fault: { kind: 'status', status: 503 }, times: Infinity });
      const failed = await fx.service.rotate(fx.secretId);
      api.clearFaults();
      expect(failed.attempts).toBe(1); // the promotion stands: the function returned success

      const lines = capturedOutput().split('\n');
      const matching = lines.filter((l) => matchesJsonPattern(pattern, l));
      expect(matching).toHaveLength(1);
      expect(JSON.parse(matching[0]!)).toMatchObject({
        level: 'ERROR',
        step: 'finishSecret',
        clientRequestToken: failed.token,
        secretId: expect.stringContaining(':secret:'),
      });
      expect(matching[0]).toContain('Could not revoke 1 old key(s)');
      expect(lines.filter((l) => l.includes(good.token)).length).toBeGreaterThan(0);
    },
  );
});

/** Which secrets may serve as a master: the function's MASTER_SECRET_ARNS, never the rotated secret's say-so. */
import { ConfusedDeputyError } from '@rotators/core';
import { checkMasterSecretAllowed, readMasterSecretPolicy, sameSecretArn } from '@rotators/core/db';
import { describe, expect, it } from 'vitest';

const MASTER = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master-AbCdEf';

describe('master secret policy', () => {
  it('an ARN with or without the 6-character suffix is the same secret; a longer name is not', () => {
    expect(sameSecretArn(MASTER, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master')).toBe(true);
    expect(sameSecretArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master', MASTER)).toBe(true);
    expect(sameSecretArn(MASTER, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/mast')).toBe(false);
  });

  it('with MASTER_SECRET_ARNS, any other masterarn is a ConfusedDeputyError on "masterarn"', () => {
    const policy = readMasterSecretPolicy({
      MASTER_SECRET_ARNS: ` ${MASTER} , arn:aws:secretsmanager:us-east-1:123456789012:secret:other-GhIjKl`,
    });
    expect(() => checkMasterSecretAllowed(MASTER, policy, {})).not.toThrow();
    let error: unknown;
    try {
      checkMasterSecretAllowed('arn:aws:secretsmanager:us-east-1:123456789012:secret:app/team-b-XyZaBc', policy, {
        secretId: 'arn:s',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe('masterarn');
    expect((error as Error).message).toContain('MASTER_SECRET_ARNS');
  });

  it('unset: allowed, and the caller is warned once', () => {
    const warnings: string[] = [];
    const policy = readMasterSecretPolicy({}, { warn: (message: string) => void warnings.push(message) } as never);
    expect(() => checkMasterSecretAllowed('arn:anything', policy, {})).not.toThrow();
    expect(warnings).toHaveLength(1);
  });
});

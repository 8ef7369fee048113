/** The verdict from metadata alone, on hand-made metadata (no AWS). */
import { describe, expect, it } from 'vitest';
import type { SecretInfo } from '../../src/aws.ts';
import { assess, dueDate, scheduleInterval } from '../../src/verdict.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function info(overrides: Partial<SecretInfo> = {}): SecretInfo {
  return {
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
    name: 'app',
    rotationEnabled: true,
    rotationLambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:rot',
    rules: { automaticallyAfterDays: 30 },
    lastRotated: ago(10 * DAY),
    created: ago(100 * DAY),
    stages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] },
    ...overrides,
  };
}

describe('assess', () => {
  it('healthy: on, within schedule; AWSPENDING on the AWSCURRENT version is a finished rotation', () => {
    expect(assess(info(), undefined, 60, NOW).verdict).toBe('healthy');
    expect(assess(info({ stages: { v2: ['AWSCURRENT', 'AWSPENDING'] } }), undefined, 60, NOW).verdict).toBe('healthy');
  });

  it('rotating while younger than four times the timeout, stuck after', () => {
    const stages = { v2: ['AWSCURRENT'], v3: ['AWSPENDING'] };
    const rotating = assess(info({ stages }), ago(239_000), 60, NOW);
    expect(rotating).toMatchObject({
      verdict: 'rotating',
      pending: { versionId: 'v3', ageSeconds: 239, windowSeconds: 240 },
    });
    const stuck = assess(info({ stages }), ago(241_000), 60, NOW);
    expect(stuck.verdict).toBe('stuck');
    expect(stuck.reason).toMatch(
      /^AWSPENDING has been on version v3, not AWSCURRENT, for 4 min \(longer than 4 x the function's 60 s timeout\)/,
    );
  });

  it("an unknown timeout counts as Lambda's maximum; an unknown age as stuck", () => {
    const stages = { v2: ['AWSCURRENT'], v3: ['AWSPENDING'] };
    expect(assess(info({ stages }), ago(3_000_000), undefined, NOW).verdict).toBe('rotating');
    expect(assess(info({ stages }), ago(3_700_000), undefined, NOW).verdict).toBe('stuck');
    expect(assess(info({ stages }), undefined, 60, NOW).reason).toMatch(/for an unknown time/);
  });

  it('stuck outranks disabled: a cancelled rotation with its AWSPENDING left behind', () => {
    expect(
      assess(info({ rotationEnabled: false, stages: { v2: ['AWSCURRENT'], v3: ['AWSPENDING'] } }), ago(DAY), 60, NOW)
        .verdict,
    ).toBe('stuck');
  });

  it('no AWSCURRENT at all is stuck', () => {
    expect(assess(info({ stages: { v1: ['AWSPREVIOUS'] } }), undefined, 60, NOW)).toMatchObject({
      verdict: 'stuck',
      reason: expect.stringMatching(/no version holds AWSCURRENT/),
    });
  });

  it('disabled: turned off, or never configured', () => {
    expect(assess(info({ rotationEnabled: false }), undefined, 60, NOW)).toMatchObject({
      verdict: 'disabled',
      reason: 'rotation is turned off for this secret',
    });
    expect(assess(info({ rotationEnabled: undefined }), undefined, 60, NOW)).toMatchObject({
      verdict: 'disabled',
      reason: 'rotation was never configured for this secret',
    });
  });

  it('overdue: the last rotation plus the interval, plus a day of margin, has passed', () => {
    expect(assess(info({ lastRotated: ago(30 * DAY + 23 * 3_600_000) }), undefined, 60, NOW).verdict).toBe('healthy');
    const overdue = assess(info({ lastRotated: ago(31 * DAY + 60_000) }), undefined, 60, NOW);
    expect(overdue.verdict).toBe('overdue');
    expect(overdue.reason).toMatch(
      /^last rotated 31 days ago; the schedule \(every 30 days\) wanted a rotation by 2026-06-14 11:59 UTC/,
    );
    // Never rotated: from its creation.
    expect(assess(info({ lastRotated: undefined, created: ago(40 * DAY) }), undefined, 60, NOW)).toMatchObject({
      verdict: 'overdue',
      reason: expect.stringMatching(/^never rotated/),
    });
  });

  it('schedules: rate() in hours or days; cron() falls back on NextRotationDate', () => {
    expect(scheduleInterval({ scheduleExpression: 'rate(4 hours)' })).toBe(4 * 3_600_000);
    expect(scheduleInterval({ scheduleExpression: 'rate(1 day)' })).toBe(DAY);
    expect(scheduleInterval({ scheduleExpression: 'cron(0 16 1,15 * ? *)' })).toBeUndefined();
    const cron = info({ rules: { scheduleExpression: 'cron(0 16 1,15 * ? *)' }, nextRotation: ago(2 * DAY) });
    expect(dueDate(cron)).toEqual(ago(2 * DAY));
    expect(assess(cron, undefined, 60, NOW).verdict).toBe('overdue');
    expect(
      assess(
        info({ rules: { scheduleExpression: 'rate(4 hours)' }, lastRotated: ago(29 * 3_600_000) }),
        undefined,
        60,
        NOW,
      ).verdict,
    ).toBe('overdue');
  });
});

/**
 * setSecret's `newerUnlabelled` (steps/stepRun.ts) without Secrets Manager: which versions count as
 * newer than AWSCURRENT and in what order, and the walk through them (what is skipped, what ends
 * it, how many reads it may cost), against a gateway that answers from a table.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SecretsManagerCallError } from '../../src/errors.ts';
import type { RotationLogger } from '../../src/logger.ts';
import type { Rotator } from '../../src/rotator.ts';
import type { ListedVersion, SecretsGateway, SecretVersion } from '../../src/secretsGateway.ts';
import {
  MAX_UNLABELLED_READS,
  MAX_UNLABELLED_VERSIONS,
  StepRun,
  versionsNewerThanCurrent,
} from '../../src/steps/stepRun.ts';

const at = (iso: string) => new Date(iso);
const v = (versionId: string, stages: string[], createdDate?: Date): ListedVersion => ({
  versionId,
  stages,
  createdDate,
});

describe('versionsNewerThanCurrent', () => {
  it(
    'AWS: distinct dates decide, whatever the order of the list; ' +
      'labelled ones are kept (the walk checks them), older ones and the token left out',
    () => {
      const listed = [
        v('newest', [], at('2026-01-01T10:00:03.250Z')),
        v('current', ['AWSCURRENT'], at('2026-01-01T10:00:01.000Z')),
        v('older', [], at('2026-01-01T10:00:00.500Z')),
        v('custom', ['MYLABEL'], at('2026-01-01T10:00:04.000Z')),
        v('token', ['AWSPENDING'], at('2026-01-01T10:00:05.000Z')),
        v('middle', [], at('2026-01-01T10:00:02.001Z')),
        v('previous', ['AWSPREVIOUS'], at('2025-12-01T00:00:00.000Z')),
      ];
      expect(versionsNewerThanCurrent(listed, 'token')!.map((x) => x.versionId)).toEqual([
        'custom',
        'newest',
        'middle',
      ]);
    },
  );

  it('moto: every date is the same ("now"), so the order of the list (creation order) decides', () => {
    const now = at('2026-01-01T10:00:00Z');
    const listed = [
      v('first', ['AWSPREVIOUS'], now),
      v('before', [], now),
      v('current', ['AWSCURRENT'], now),
      v('a', [], now),
      v('b', [], now),
    ];
    expect(versionsNewerThanCurrent(listed, 'token')!.map((x) => x.versionId)).toEqual(['b', 'a']);
  });

  it('without a creation date for AWSCURRENT (or no AWSCURRENT listed) nothing counts as newer: undefined', () => {
    expect(
      versionsNewerThanCurrent([v('current', ['AWSCURRENT']), v('a', [], at('2026-01-01T00:00:00Z'))], 't'),
    ).toBeUndefined();
    expect(versionsNewerThanCurrent([v('a', [], at('2026-01-01T00:00:00Z'))], 't')).toBeUndefined();
  });

  it('a version without a creation date is never a candidate', () => {
    const listed = [v('current', ['AWSCURRENT'], at('2026-01-01T00:00:00Z')), v('undated', [])];
    expect(versionsNewerThanCurrent(listed, 't')).toEqual([]);
  });
});

// ---- the walk ----

const schema = z.looseObject({ password: z.string(), host: z.string(), label: z.string().optional() });
type Secret = z.infer<typeof schema>;
const CURRENT: Secret = { password: 'pw-current-0001', host: 'db.example', label: 'kept' };
const TOKEN = 'token-of-this-rotation';

/** A row of the table the fake gateway answers from: its labels and what GetSecretValue gives. */
interface Row {
  id: string;
  stages?: string[];
  /**
   * A string is the SecretString; `binary` a version with SecretBinary only; `placeholder` none
   * (RotateSecret's); `throttled` a failed call.
   */
  value: Secret | string | 'binary' | 'placeholder' | 'throttled';
}

const good = (id: string, extra: Partial<Secret> = {}): Row => ({
  id,
  value: { ...CURRENT, password: `pw-${id}`, ...extra },
});

/**
 * A StepRun over a secret whose versions are, oldest first: AWSCURRENT (CURRENT), then `rows`, then
 * the token (AWSPENDING). Every date is the same, so the list's order decides, as with moto.
 */
function walk(rows: Row[], currentValue: Secret = CURRENT) {
  const now = at('2026-01-01T00:00:00Z');
  const listed: ListedVersion[] = [
    v('current', ['AWSCURRENT'], now),
    ...rows.map((r) => v(r.id, r.stages ?? [], now)),
    v(TOKEN, ['AWSPENDING'], now),
  ];
  const reads: string[] = [];
  const gateway = {
    timedOut: false,
    listVersions: async () => ({ versions: listed, complete: true }),
    findVersionById: async (_secretId: string, versionId: string): Promise<SecretVersion | undefined> => {
      reads.push(versionId);
      const row = rows.find((r) => r.id === versionId)!;
      if (row.value === 'throttled')
        throw new SecretsManagerCallError(
          'GetSecretValue',
          {},
          Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }),
        );
      if (row.value === 'placeholder') return undefined;
      if (row.value === 'binary') return { versionId };
      return { versionId, secretString: typeof row.value === 'string' ? row.value : JSON.stringify(row.value) };
    },
  } as unknown as SecretsGateway;
  const lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  const record =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      lines.push({ level, message, attributes });
  const logger = {
    warn: record('WARN'),
    info: record('INFO'),
    debug: record('DEBUG'),
    error: record('ERROR'),
  } as unknown as RotationLogger;
  const rotator = { name: 'walk-test', schema, rotatedFields: ['password'] } as unknown as Rotator<Secret>;
  const run = new StepRun<Secret>({
    rotator,
    secrets: gateway,
    metadata: { arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:walk-AbCdEf', versionIdsToStages: {} },
    step: 'setSecret',
    token: TOKEN,
    logger,
    errorContext: { secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:walk-AbCdEf', step: 'setSecret' },
    passwordPolicy: {} as never,
  });
  return {
    result: () => run.readNewerUnlabelled(currentValue),
    reads,
    warns: () => lines.filter((l) => l.level === 'WARN'),
    /** Every log line, as one text: for "no value appears". */
    text: () => JSON.stringify(lines),
  };
}

/** Oldest first, as the rows are given. */
const junk = (tag: string): Row[] => [
  { id: `${tag}-not-json`, value: '{"password": "pw-unterminated-0002' },
  { id: `${tag}-binary`, value: 'binary' },
  { id: `${tag}-placeholder`, value: 'placeholder' },
  { id: `${tag}-wrong-type`, value: JSON.stringify({ ...CURRENT, password: 4242424242 }) },
  { id: `${tag}-throttled`, value: 'throttled' },
];

describe('readNewerUnlabelled: the walk, newest first', () => {
  it(
    `versions that cannot be used do not push the real one out: ` +
      `they are skipped with a WARN each (id, reason, never a value) and the walk goes on`,
    async () => {
      // The real abandoned version is the oldest; five versions that cannot be used are newer.
      const w = walk([good('real'), ...junk('junk')]);
      const got = await w.result();
      expect(got.map((x) => x.versionId)).toEqual(['real']);
      expect(got[0]!.value.password).toBe('pw-real');
      expect(w.reads).toEqual([
        'junk-throttled',
        'junk-wrong-type',
        'junk-placeholder',
        'junk-binary',
        'junk-not-json',
        'real',
      ]);
      for (const row of junk('junk')) {
        const warns = w.warns().filter((l) => l.message.includes(row.id));
        expect(warns, row.id).toHaveLength(1);
      }
      expect(w.warns().find((l) => l.message.includes('junk-wrong-type'))!.attributes).toMatchObject({
        versionId: 'junk-wrong-type',
        fields: ['password'],
      });
      expect(w.warns().find((l) => l.message.includes('junk-binary'))!.message).toContain('has no value');
      expect(w.text()).not.toContain('4242424242');
      expect(w.text()).not.toContain('pw-unterminated');
      expect(w.text()).not.toContain('pw-real');
    },
  );

  it(`stops once ${MAX_UNLABELLED_VERSIONS} usable versions are found: older ones are not read`, async () => {
    const w = walk([good('a'), good('b'), good('c'), good('d'), good('e')]);
    expect((await w.result()).map((x) => x.versionId)).toEqual(['e', 'd', 'c']);
    expect(w.reads).toEqual(['e', 'd', 'c']);
  });

  it(`reads at most ${MAX_UNLABELLED_READS} versions, and says (WARN) how many older ones were left`, async () => {
    const rows = [good('too-old'), ...junk('x'), ...junk('y'), ...junk('z')];
    const w = walk(rows);
    expect(await w.result()).toEqual([]);
    expect(w.reads).toHaveLength(MAX_UNLABELLED_READS);
    expect(w.reads).not.toContain('too-old');
    const warn = w.warns().find((l) => l.message.includes('older ones are not read'));
    expect(warn!.attributes).toEqual({ notRead: rows.length - MAX_UNLABELLED_READS });
  });

  it(
    'a version that fits the schema but names another target ends the walk: ' +
      'the older ones are not read, the WARN names the version and the fields only',
    async () => {
      // Newest first: junk (skipped), then a version of another host and label (the end), then a
      // version that would have been usable: it is older than the change of target.
      const w = walk([
        good('before-the-change'),
        good('other-target', { host: 'old-db.example', label: 'old-label' }),
        { id: 'junk', value: 'binary' },
      ]);
      expect(await w.result()).toEqual([]);
      expect(w.reads).toEqual(['junk', 'other-target']);
      const warn = w.warns().find((l) => l.message.includes('other-target'))!;
      expect(warn.attributes).toEqual({ versionId: 'other-target', fields: ['host', 'label'] });
      expect(warn.message).toContain(
        'version other-target (no staging label) is not used: it differs from AWSCURRENT in "host", "label"',
      );
      expect(warn.message).toContain('neither it nor any older version is tried');
      // Worded for this version, not the AWSPENDING guard's message; and no value.
      expect(warn.message).not.toContain('AWSPENDING');
      expect(w.text()).not.toContain('old-db.example');
      expect(w.text()).not.toContain('old-label');
      expect(w.text()).not.toContain('pw-other-target');
    },
  );

  it('a field missing from the version ends the walk too (worded for the version, not AWSPENDING)', async () => {
    const { label: _, ...withoutLabel } = { ...CURRENT, password: 'pw-no-label' };
    const w = walk([good('older'), { id: 'no-label', value: withoutLabel }]);
    expect(await w.result()).toEqual([]);
    const warn = w.warns().find((l) => l.message.includes('no-label'))!;
    expect(warn.attributes).toEqual({ versionId: 'no-label', fields: ['label'] });
    expect(warn.message).not.toContain('AWSPENDING');
  });

  it(
    'AWSCURRENT moved back to a version from before a change of target: ' +
      'the version it left (now AWSPREVIOUS) ends the walk, ' +
      "so the old target's passwords are not handed over",
    async () => {
      // As Secrets Manager leaves it: AWSCURRENT moved from "re-pointed" (host new-db) back to
      // "current" (host db.example), which labelled "re-pointed" AWSPREVIOUS; "old-1" and "old-2"
      // were versions of the old target between the two and hold no label.
      const w = walk([
        good('old-1'),
        good('old-2'),
        {
          id: 're-pointed',
          stages: ['AWSPREVIOUS'],
          value: { ...CURRENT, password: 'pw-re-pointed', host: 'new-db.example' },
        },
      ]);
      expect(await w.result()).toEqual([]);
      expect(w.reads).toEqual(['re-pointed']);
      const warn = w.warns().find((l) => l.message.includes('re-pointed'))!;
      expect(warn.message).toContain(
        'version re-pointed (labelled AWSPREVIOUS, newer than AWSCURRENT) is not used: ' +
          'it differs from AWSCURRENT in "host"',
      );
      expect(warn.attributes).toEqual({ versionId: 're-pointed', fields: ['host'] });
    },
  );

  it(
    'a labelled version of the same target (say AWSPREVIOUS after a roll-back) is read, ' +
      'not handed over, and the walk goes on',
    async () => {
      const w = walk([
        good('abandoned'),
        { id: 'rolled-back', stages: ['AWSPREVIOUS'], value: { ...CURRENT, password: 'pw-rolled-back' } },
        { id: 'custom', stages: ['MYLABEL'], value: 'binary' },
      ]);
      expect((await w.result()).map((x) => x.versionId)).toEqual(['abandoned']);
      expect(w.reads).toEqual(['custom', 'rolled-back', 'abandoned']);
    },
  );
});

/** Which versions without a label count as newer than AWSCURRENT, and in what order (steps/stepRun.ts). */
import { describe, expect, it } from 'vitest';
import type { ListedVersion } from '../../src/secretsGateway.ts';
import { newerUnlabelledCandidates } from '../../src/steps/stepRun.ts';

const at = (iso: string) => new Date(iso);
const v = (versionId: string, stages: string[], createdDate?: Date): ListedVersion => ({ versionId, stages, createdDate });

describe('newerUnlabelledCandidates', () => {
  it('AWS: distinct dates decide, whatever the order of the list; labelled, older and the token are left out', () => {
    const listed = [
      v('newest', [], at('2026-01-01T10:00:03.250Z')),
      v('current', ['AWSCURRENT'], at('2026-01-01T10:00:01.000Z')),
      v('older', [], at('2026-01-01T10:00:00.500Z')),
      v('pending', ['AWSPENDING'], at('2026-01-01T10:00:04.000Z')),
      v('custom', ['MYLABEL'], at('2026-01-01T10:00:04.000Z')),
      v('token', [], at('2026-01-01T10:00:05.000Z')),
      v('middle', [], at('2026-01-01T10:00:02.001Z')),
      v('previous', ['AWSPREVIOUS'], at('2025-12-01T00:00:00.000Z')),
    ];
    expect(newerUnlabelledCandidates(listed, 'token')!.map((x) => x.versionId)).toEqual(['newest', 'middle']);
  });

  it('moto: every date is the same ("now"), so the order of the list (creation order) decides', () => {
    const now = at('2026-01-01T10:00:00Z');
    const listed = [v('first', ['AWSPREVIOUS'], now), v('before', [], now), v('current', ['AWSCURRENT'], now), v('a', [], now), v('b', [], now)];
    expect(newerUnlabelledCandidates(listed, 'token')!.map((x) => x.versionId)).toEqual(['b', 'a']);
  });

  it('without a creation date for AWSCURRENT (or no AWSCURRENT listed) nothing counts as newer: undefined', () => {
    expect(newerUnlabelledCandidates([v('current', ['AWSCURRENT']), v('a', [], at('2026-01-01T00:00:00Z'))], 't')).toBeUndefined();
    expect(newerUnlabelledCandidates([v('a', [], at('2026-01-01T00:00:00Z'))], 't')).toBeUndefined();
  });

  it('a version without a creation date is never a candidate', () => {
    const listed = [v('current', ['AWSCURRENT'], at('2026-01-01T00:00:00Z')), v('undated', [])];
    expect(newerUnlabelledCandidates(listed, 't')).toEqual([]);
  });
});

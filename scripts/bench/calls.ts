/**
 * The Secrets Manager calls of a rotator's rotations, summed up: per API and step (as a range over
 * the rotations when they differ), and every DescribeSecret / GetSecretValue repeated with the same
 * arguments within one step (issue #13's target: none).
 */
import { STEPS, type Step } from '@rotators/testkit';
import { countByApi, repeatedReads, type SecretsManagerCall } from './proxy.ts';
import type { Rotation } from './rotations.ts';

export interface Range {
  min: number;
  max: number;
}

export interface CallTable {
  /** Rows: APIs in the protocol's order, then any other in alphabetical order. */
  apis: string[];
  /** Calls of an API in a step, or in the whole rotation ('rotation'), over all rotations. */
  count(api: string | 'all', column: Step | 'rotation'): Range;
  rotations: number;
}

export interface RepeatedReadFinding {
  step: Step;
  /** e.g. "GetSecretValue(the secret, VersionStage=AWSCURRENT)" — ARNs and tokens described, never printed. */
  call: string;
  /** Most times it was made in one step. */
  times: number;
  /** In how many of the rotations it happened. */
  rotations: number;
}

const ORDER = ['DescribeSecret', 'GetSecretValue', 'GetRandomPassword', 'PutSecretValue', 'UpdateSecretVersionStage'];

export function callTable(rotations: readonly Rotation[]): CallTable {
  const seen = new Set<string>();
  for (const rotation of rotations) for (const sample of rotation) for (const call of sample.calls) seen.add(call.api);
  const apis = [...ORDER.filter((api) => seen.has(api)), ...[...seen].filter((api) => !ORDER.includes(api)).sort()];

  const callsIn = (rotation: Rotation, column: Step | 'rotation'): SecretsManagerCall[] =>
    rotation.filter((sample) => column === 'rotation' || sample.step === column).flatMap((sample) => sample.calls);
  return {
    apis,
    rotations: rotations.length,
    count(api, column) {
      const counts = rotations.map((rotation) => {
        const calls = callsIn(rotation, column);
        return api === 'all' ? calls.length : (countByApi(calls).get(api) ?? 0);
      });
      return { min: Math.min(...counts), max: Math.max(...counts) };
    },
  };
}

export function repeatedReadFindings(rotations: readonly Rotation[]): RepeatedReadFinding[] {
  const findings = new Map<string, RepeatedReadFinding>();
  for (const rotation of rotations) {
    const inThisRotation = new Set<string>();
    for (const sample of rotation) {
      for (const repeat of repeatedReads(sample.calls)) {
        const call = describeCall(repeat.call, sample.secretId, sample.token);
        const key = `${sample.step} ${call}`;
        const finding = findings.get(key) ?? { step: sample.step, call, times: 0, rotations: 0 };
        finding.times = Math.max(finding.times, repeat.times);
        if (!inThisRotation.has(key)) finding.rotations += 1;
        inThisRotation.add(key);
        findings.set(key, finding);
      }
    }
  }
  return [...findings.values()].sort(
    (a, b) => STEPS.indexOf(a.step) - STEPS.indexOf(b.step) || a.call.localeCompare(b.call),
  );
}

/** A call's arguments in words: the rotated secret or another one (a master), the token or another version. */
export function describeCall(call: SecretsManagerCall, secretId: string, token: string): string {
  const args = [
    ...(call.secretId === undefined ? [] : [call.secretId === secretId ? 'the secret' : 'another secret']),
    ...(call.versionStage ? [`VersionStage=${call.versionStage}`] : []),
    ...(call.versionId ? [`VersionId=${call.versionId === token ? 'the token' : 'another version'}`] : []),
  ];
  return args.length === 0 ? call.api : `${call.api}(${args.join(', ')})`;
}

/** One rotation's calls per step, in the order made, each described as in describeCall. */
export function callSequence(rotation: Rotation): Array<{ step: Step; calls: string[] }> {
  return rotation.map((sample) => ({
    step: sample.step,
    calls: sample.calls.map((call) => describeCall(call, sample.secretId, sample.token)),
  }));
}

/**
 * The lockout probe: what the labels hold and whether the target accepts each labelled version,
 * checked at every step boundary and right after every call that may have changed either (a
 * target write, PutSecretValue, UpdateSecretVersionStage, RotateSecret, the label clean-up).
 * What the target accepts changes only at a target write, and what the labels hold only at a
 * label write, so this sees every state a client could meet, not a sample of them.
 *
 * A lockout is a state in which the target refuses every one of AWSCURRENT, AWSPENDING and
 * AWSPREVIOUS (those that hold a value).
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { rememberSecretJson } from '../logCapture.ts';
import type { CallRecorder } from './recorder.ts';
import type { Fixture } from './fixture.ts';

export const LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] as const;
export type Label = (typeof LABELS)[number];

/** A label's version: whether the target accepts it, or 'empty' (no value yet: RotateSecret's placeholder). */
export type LabelState = { versionId: string; accepted: boolean | 'empty' } | undefined;

export interface Observation {
  where: string;
  labels: Record<Label, LabelState>;
  /** Label problems seen in this state (a label on two versions, no AWSCURRENT). */
  labelProblems: string[];
  lockout: boolean;
}

export class LockoutProbe {
  readonly observations: Observation[] = [];
  /** Errors of the probe itself (a login that failed for another reason than a refused password). */
  readonly errors: string[] = [];
  private readonly values = new Map<string, Record<string, unknown> | 'empty'>();
  private readonly logins = new Map<string, boolean>();
  private targetEpoch = 0;
  private labelEpoch = 0;
  private smWrites = -1;
  private lastState?: { key: string; observation: Observation };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly fixture: Fixture,
    private readonly recorder?: CallRecorder,
  ) {}

  /** The target may accept other credentials from now on. */
  targetChanged(): void {
    this.targetEpoch += 1;
  }

  /** The labels may have moved (a label write not made through the recorder: the service's own). */
  labelsChanged(): void {
    this.labelEpoch += 1;
  }

  async check(where: string): Promise<Observation> {
    try {
      return await this.observe(where);
    } catch (error) {
      this.errors.push(`${where}: ${(error as Error).name}: ${(error as Error).message}`);
      const observation: Observation = {
        where,
        labels: { AWSCURRENT: undefined, AWSPENDING: undefined, AWSPREVIOUS: undefined },
        labelProblems: ['probe failed'],
        lockout: false,
      };
      this.observations.push(observation);
      return observation;
    }
  }

  lockouts(): Observation[] {
    return this.observations.filter((o) => o.lockout);
  }

  /** States in which AWSCURRENT held a value the target refused. */
  currentRefused(): Observation[] {
    return this.observations.filter((o) => o.labels.AWSCURRENT?.accepted === false);
  }

  last(): Observation | undefined {
    return this.observations.at(-1);
  }

  /** The parsed value of a version (cached; versions do not change once they hold a value). */
  async value(versionId: string): Promise<Record<string, unknown> | 'empty'> {
    const smWrites = this.recorder?.writes.secretsmanager ?? 0;
    // moto lets a PutSecretValue overwrite a pending value: re-read after any put.
    if (smWrites !== this.smWrites) {
      this.values.clear();
      this.smWrites = smWrites;
    }
    let value = this.values.get(versionId);
    if (value === undefined) {
      value = await this.read(versionId);
      this.values.set(versionId, value);
    }
    return value;
  }

  private async observe(where: string): Promise<Observation> {
    // Nothing changed since the last look (no label write, no target write): the same state again.
    const key = `${this.labelEpoch}/${this.recorder?.writes.secretsmanager ?? 'x'}/${this.targetEpoch}`;
    if (this.recorder && this.lastState?.key === key) {
      const observation = { ...this.lastState.observation, where };
      this.observations.push(observation);
      return observation;
    }
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: this.secretId }));
    const stages = out.VersionIdsToStages ?? {};
    const labelProblems: string[] = [];
    const labels = {} as Record<Label, LabelState>;
    for (const label of LABELS) {
      const holders = Object.entries(stages)
        .filter(([, s]) => s.includes(label))
        .map(([id]) => id);
      if (holders.length > 1) labelProblems.push(`${label} on ${holders.length} versions`);
      const versionId = holders[0];
      labels[label] = versionId === undefined ? undefined : { versionId, accepted: await this.accepted(versionId) };
    }
    if (!labels.AWSCURRENT) labelProblems.push('no AWSCURRENT');
    const present = LABELS.map((l) => labels[l]).filter((s) => s && s.accepted !== 'empty');
    const lockout = present.length > 0 && present.every((s) => s!.accepted === false);
    const observation: Observation = { where, labels, labelProblems, lockout };
    this.observations.push(observation);
    this.lastState = { key, observation };
    return observation;
  }

  private async accepted(versionId: string): Promise<boolean | 'empty'> {
    const value = await this.value(versionId);
    if (value === 'empty') return 'empty';
    const key = `${versionId}@${this.targetEpoch}`;
    let ok = this.logins.get(key);
    if (ok === undefined) {
      ok = await this.fixture.logsIn(value);
      this.logins.set(key, ok);
    }
    return ok;
  }

  private async read(versionId: string): Promise<Record<string, unknown> | 'empty'> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionId: versionId }));
      rememberSecretJson(out.SecretString);
      return parseObject(out.SecretString);
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return 'empty';
      throw error;
    }
  }
}

/** A value that is not a JSON object holds no credential: `{}`, which no target accepts. */
function parseObject(text: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text ?? 'null');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

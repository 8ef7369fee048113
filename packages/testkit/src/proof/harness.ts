/**
 * One case of the proof: a fresh secret on the rotator's target, the rotator built from its
 * source with the recording wires, its handler on a Secrets Manager client that records and
 * faults, the lockout probe hooked to every state change, and the retrying service. The checks
 * every case ends with are here too.
 */
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler } from '@rotators/core';
import { secretsManagerClient } from '../aws.ts';
import { rememberSecretJson } from '../logCapture.ts';
import { LockoutProbe } from './lockoutProbe.ts';
import { CallRecorder, recordSecretsManager } from './recorder.ts';
import type { ProofSubject } from './registry.ts';
import { type Handler, RetryingRotationService, type RotationOutcome } from './retryingService.ts';
import type { NewSecretOptions, ProofSecret } from './types.ts';
import type { Fixture } from './fixture.ts';

export interface ProofContext {
  motoEndpoint: string;
  rotationLambdaArn: string;
  /** The service's and the checks' own client (never faulted, never counted). */
  admin: SecretsManagerClient;
  /** Every error a handler threw during the run, for the leak scan. */
  errors: unknown[];
}

export interface CaseOptions extends NewSecretOptions {
  stepAttempts?: number;
  scheduledRotations?: number;
  /** Probe at every state change (default true). */
  probe?: boolean;
}

export class CaseRun {
  readonly recorder = new CallRecorder();
  readonly client: SecretsManagerClient;
  readonly probe: LockoutProbe;
  readonly service: RetryingRotationService;
  readonly probing: boolean;

  private constructor(
    readonly ctx: ProofContext,
    readonly subject: ProofSubject,
    readonly fixture: Fixture,
    readonly secret: ProofSecret,
    options: CaseOptions,
  ) {
    this.client = secretsManagerClient(ctx.motoEndpoint);
    recordSecretsManager(
      this.client,
      () => this.recorder,
      () => secret.secretId,
    );
    this.recorder.aliases = secret.aliases;
    this.probe = new LockoutProbe(ctx.admin, secret.secretId, fixture, this.recorder);
    const probing = options.probe ?? true;
    this.probing = probing;
    this.recorder.onStateChange = async (call) => {
      if (call.channel !== 'secretsmanager') this.probe.targetChanged();
      if (probing) await this.probe.check(`${call.step ?? '?'}: after ${call.label}`);
    };
    this.service = new RetryingRotationService({
      client: ctx.admin,
      newHandler: () => this.newHandler(),
      recorder: this.recorder,
      rotationLambdaArn: ctx.rotationLambdaArn,
      stepAttempts: options.stepAttempts,
      scheduledRotations: options.scheduledRotations,
      boundary: probing ? async (where) => void (await this.probe.check(where)) : undefined,
      labelsChanged: () => this.probe.labelsChanged(),
    });
  }

  static async start(
    ctx: ProofContext,
    subject: ProofSubject,
    fixture: Fixture,
    options: CaseOptions = {},
  ): Promise<CaseRun> {
    const secret = await fixture.newSecret(ctx.admin, options);
    return new CaseRun(ctx, subject, fixture, secret, options);
  }

  get secretId(): string {
    return this.secret.secretId;
  }

  /** A handler as a cold Lambda builds it: a new rotator from the source, with the recording wires. */
  newHandler(): Handler {
    const rotator = this.subject.build({ env: this.fixture.env, ...this.fixture.factoryOptions(() => this.recorder) });
    if (rotator.name !== this.subject.name)
      throw new Error(`packages/${this.subject.name}/src/rotator.ts builds a rotator named "${rotator.name}"`);
    const handler = createRotationHandler(rotator as Parameters<typeof createRotationHandler>[0], {
      client: this.client,
      env: this.fixture.env,
    });
    return async (event) => {
      try {
        return await handler(event);
      } catch (error) {
        this.ctx.errors.push(error);
        throw error;
      }
    };
  }

  /** A clean rotation that must succeed at once (no failed invocation). */
  async cleanRotation(what: string): Promise<string[]> {
    const outcome = await this.service.rotate(this.secretId);
    return cleanProblems(outcome, what);
  }
}

export function cleanProblems(outcome: RotationOutcome, what: string): string[] {
  if (!outcome.completed) return [`${what} did not complete: ${describeFailures(outcome)}`];
  if (outcome.failures.length > 0)
    return [`${what} needed ${outcome.failures.length} retried invocation(s): ${describeFailures(outcome)}`];
  return [];
}

export function describeFailures(outcome: RotationOutcome): string {
  return outcome.failures
    .slice(-3)
    .map((f) => `${f.step}#${f.attempt} ${f.crashed ? 'crashed' : `${f.error?.name}: ${brief(f.error?.message)}`}`)
    .join(' | ');
}

/**
 * What must hold at the end of every case, and in every state on the way:
 * - no state in which the target refused AWSCURRENT, AWSPENDING and AWSPREVIOUS alike (lockout);
 * - alternating users and API keys: AWSCURRENT accepted in every state (single user: refused only
 *   between its setSecret and finishSecret, by design);
 * - at the end one AWSCURRENT, no AWSPENDING left (on AWSCURRENT or anywhere), at most one
 *   AWSPREVIOUS; the target accepts AWSCURRENT (and AWSPREVIOUS where the strategy keeps it valid);
 * - the target holds nothing that no version holds (the fixture's leftovers).
 */
export async function finalProblems(run: CaseRun, options: { strictLeftovers: boolean }): Promise<string[]> {
  // The probe read (and the leak guard remembered) every version that held AWSPENDING; one read here
  // covers any other (a value written while probing was off).
  if (!run.probing) await rememberVersions(run.ctx.admin, run.secretId);
  const problems: string[] = [];
  const { probe, subject } = run;
  const lockouts = probe.lockouts();
  if (lockouts.length > 0) problems.push(`LOCKOUT in ${lockouts.length} state(s), first: ${lockouts[0]!.where}`);
  if (subject.strategy === 'alternating users' || subject.strategy === 'api key') {
    const refused = probe.currentRefused();
    if (refused.length > 0)
      problems.push(`AWSCURRENT refused by the target in ${refused.length} state(s), first: ${refused[0]!.where}`);
  }
  for (const error of probe.errors) problems.push(`probe: ${error}`);
  const end = await probe.check('end of case');
  if (end.labelProblems.length > 0) problems.push(`labels at the end: ${end.labelProblems.join(', ')}`);
  if (end.labels.AWSPENDING) problems.push('AWSPENDING left at the end');
  if (end.labels.AWSCURRENT?.accepted !== true)
    problems.push('LOST CREDENTIAL: the target does not accept AWSCURRENT at the end');
  if (
    subject.strategy !== 'single user' &&
    subject.strategy !== 'no target' &&
    end.labels.AWSPREVIOUS &&
    end.labels.AWSPREVIOUS.accepted !== true
  ) {
    problems.push('the target does not accept AWSPREVIOUS at the end (its grace interval)');
  }
  const seenProblems = new Set(probe.observations.flatMap((o) => o.labelProblems));
  for (const problem of seenProblems) if (problem !== 'probe failed') problems.push(`labels on the way: ${problem}`);
  if (run.fixture.leftovers)
    problems.push(...(await run.fixture.leftovers(run.ctx.admin, run.secret, options.strictLeftovers)));
  return problems;
}

/** Every version's value (labelled or not) goes to the leak guard: whatever a rotation generated is searched for. */
export async function rememberVersions(client: SecretsManagerClient, secretId: string): Promise<void> {
  const listed = await client
    .send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }))
    .catch(() => undefined);
  for (const version of listed?.Versions ?? []) {
    if (!version.VersionId) continue;
    const out = await client
      .send(new GetSecretValueCommand({ SecretId: secretId, VersionId: version.VersionId }))
      .catch(() => undefined);
    rememberSecretJson(out?.SecretString);
  }
}

/** An error message without the secret ARN suffix the engine adds, cut short. */
export function brief(message: string | undefined, max = 220): string {
  const text = (message ?? '').replace(/ \(secret arn:[^)]*\)/g, '').replace(/ \(secret [^)]*, step \w+\)/g, '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

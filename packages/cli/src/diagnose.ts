/**
 * doctor's findings and repair's plan. Findings come from the rotator's own checks (probe.ts); the
 * plan is the smallest safe fix (issue #14):
 *
 *   AWSPENDING passes the engine's testSecret check  → finish forward (the engine's finishSecret)
 *   otherwise, while AWSCURRENT works                → remove the stale AWSPENDING label
 *                                                      (api-key: and revoke the key it created)
 *   neither works                                    → change nothing; say what a person must do
 *   rotation turned off                              → turn it back on (once AWSCURRENT works)
 *
 * A rotation younger than its window may still be running: repair then does nothing.
 */
import type { SecretRecord } from '@rotators/core';
import type { Probe, VersionCheck } from './probe.ts';
import type { RotatorKind } from './rotators.ts';
import type { SecretState } from './state.ts';
import { describeSchedule, formatAge, formatDate, pendingVersionOf, previousVersionOf } from './verdict.ts';

export interface RotatorChoice {
  kind: RotatorKind;
  /** "--rotator", "function <name>", "the secret's fields". */
  chosenBy: string;
}

export interface Findings {
  state: SecretState;
  choice: RotatorChoice;
  current: VersionCheck;
  currentValue?: SecretRecord;
  /** Present when AWSPENDING is on a version that is not AWSCURRENT. */
  pending?: VersionCheck;
  pendingValue?: SecretRecord;
  previous?: VersionCheck;
  previousValue?: SecretRecord;
  /** Alternating users, no rotation unfinished: both users' privileges equal? */
  pair?: VersionCheck;
}

export async function gatherFindings(probe: Probe, state: SecretState, choice: RotatorChoice): Promise<Findings> {
  const { stages } = state.info;
  const currentId = state.assessment.currentVersionId;
  const findings: Findings = {
    state,
    choice,
    current: { label: 'AWSCURRENT', state: 'skipped', detail: 'no version holds AWSCURRENT', connections: [] },
  };
  if (currentId) {
    const read = await probe.readCurrent(currentId);
    findings.currentValue = read.value;
    findings.current = read.check ?? (await probe.logsIn('AWSCURRENT', currentId, read.value!));
  }

  const pendingId = pendingVersionOf(stages);
  if (pendingId) {
    if (!findings.currentValue) {
      findings.pending = {
        label: 'AWSPENDING',
        versionId: pendingId,
        state: 'skipped',
        detail: 'not tried: without a readable AWSCURRENT nothing shows AWSPENDING names the same target',
        connections: [],
      };
    } else {
      const read = await probe.readOther('AWSPENDING', pendingId, findings.currentValue);
      findings.pendingValue = read.value;
      findings.pending = read.check ?? (await probe.passesTestSecret(findings.currentValue, pendingId, read.value!));
    }
  }

  const previousId = previousVersionOf(stages);
  if (previousId && previousId !== pendingId) {
    if (!findings.currentValue) {
      findings.previous = {
        label: 'AWSPREVIOUS',
        versionId: previousId,
        state: 'skipped',
        detail: 'not tried: without a readable AWSCURRENT nothing shows AWSPREVIOUS names the same target',
        connections: [],
      };
    } else {
      const read = await probe.readOther('AWSPREVIOUS', previousId, findings.currentValue);
      findings.previousValue = read.value;
      findings.previous = read.check ?? (await probe.logsIn('AWSPREVIOUS', previousId, read.value!));
    }
  }

  if (choice.kind.alternating && !pendingId && findings.previousValue && findings.currentValue && currentId) {
    findings.pair = await probe.pairMatches(findings.previousValue, currentId, findings.currentValue);
  }
  return findings;
}

export type Action =
  | { kind: 'finish'; versionId: string; currentVersionId?: string; text: string; byHand: string }
  | { kind: 'remove-pending'; versionId: string; text: string; byHand: string }
  | { kind: 'revoke-created-keys'; versionId: string; text: string }
  | { kind: 'enable-rotation'; text: string; byHand: string };

export interface Plan {
  /** What happened, in words, most important first. */
  diagnosis: string[];
  actions: Action[];
  /** Why repair will not act, when it will not. */
  blocked?: string;
  /** What only a person can do. */
  manual: string[];
}

const works = (check?: VersionCheck) => check?.state === 'works';

export function planRepair(f: Findings): Plan {
  const { info, assessment } = f.state;
  const kind = f.choice.kind;
  const target = kind.target ?? 'the target';
  const arn = info.arn;
  const diagnosis: string[] = [];
  const actions: Action[] = [];
  const manual: string[] = [];
  let blocked: string | undefined;
  const currentId = assessment.currentVersionId;
  const pending = f.pending;

  if (assessment.verdict === 'rotating') {
    const wait = assessment.pending
      ? formatAge(assessment.pending.windowSeconds - (assessment.pending.ageSeconds ?? 0))
      : 'a while';
    diagnosis.push(`A rotation is in progress: ${assessment.reason}.`);
    blocked =
      `a rotation may still be running; repair changes nothing while it might ` +
      `(run it again in ${wait}, when it counts as stuck if it has not finished)`;
    return { diagnosis, actions, blocked, manual };
  }

  if (pending?.versionId) {
    const v = pending.versionId;
    const age = assessment.pending?.ageSeconds === undefined ? '' : ` ${formatAge(assessment.pending.ageSeconds)} ago`;
    diagnosis.push(stoppedWhere(f, v, age));
    if (works(pending)) {
      if (!works(f.current) && kind.target) {
        diagnosis.push(
          `AWSCURRENT no longer logs in: clients that read AWSCURRENT are locked out until the rotation is finished.`,
        );
      }
      actions.push({
        kind: 'finish',
        versionId: v,
        currentVersionId: currentId,
        text:
          `finish rotation ${v} forward: the engine's finishSecret moves AWSCURRENT to ${v}` +
          (currentId ? ` (Secrets Manager labels ${currentId} AWSPREVIOUS)` : '') +
          (kind.name === 'api-key' ? ', and the rotator revokes its keys older than AWSPREVIOUS' : '') +
          `; then AWSPENDING is removed from ${v}, as Secrets Manager does after a successful rotation`,
        byHand:
          `aws secretsmanager update-secret-version-stage --secret-id ${arn} ` +
          `--version-stage AWSCURRENT --move-to-version-id ${v}` +
          `${currentId ? ` --remove-from-version-id ${currentId}` : ''}`,
      });
    } else if (works(f.current)) {
      actions.push({
        kind: 'remove-pending',
        versionId: v,
        text:
          `remove the stale AWSPENDING label from version ${v} (the version stays, unlabelled); ` +
          `AWSCURRENT (${currentId}) is unchanged, and the next rotation starts afresh`,
        byHand:
          `aws secretsmanager update-secret-version-stage --secret-id ${arn} ` +
          `--version-stage AWSPENDING --remove-from-version-id ${v}`,
      });
      if (kind.name === 'api-key') {
        const holders = f.previousValue
          ? `neither ${keyIdOf(f.currentValue, 'AWSCURRENT')} nor ${keyIdOf(f.previousValue, 'AWSPREVIOUS')} holds`
          : `${keyIdOf(f.currentValue, 'AWSCURRENT')} does not hold`;
        actions.push({
          kind: 'revoke-created-keys',
          versionId: v,
          text:
            `revoke the keys the api-key rotator created for this secret that ${holders} ` +
            `(among them the key rotation ${v} created, if the provider made one), with the rotator's own clean-up`,
        });
      }
    } else {
      diagnosis.push(`Neither AWSPENDING nor AWSCURRENT works on ${target}.`);
      blocked =
        'no version logs in, so moving labels would not give clients a working AWSCURRENT; repair changes nothing';
      manual.push(...brokenTargetHints(f));
    }
  } else if (currentId && f.current.state !== 'works') {
    diagnosis.push(
      `AWSCURRENT (${currentId}) does not work on ${target}` +
        `${f.current.error ? `: ${f.current.error.message}` : f.current.detail ? `: ${f.current.detail}` : ''}. ` +
        `No rotation is unfinished, so no label move can fix it.`,
    );
    blocked = 'AWSCURRENT does not log in and no other version is a safe replacement; repair changes nothing';
    manual.push(...brokenTargetHints(f));
  } else if (!currentId) {
    diagnosis.push('No version holds AWSCURRENT: clients cannot read the secret.');
    blocked = 'there is no AWSCURRENT to keep working; repair changes nothing';
    manual.push(
      `Find the version that should be current (aws secretsmanager list-secret-version-ids --secret-id ${arn}) ` +
        `and label it: aws secretsmanager update-secret-version-stage --secret-id ${arn} ` +
        `--version-stage AWSCURRENT --move-to-version-id <version>`,
    );
  }

  if (f.pair && f.pair.state !== 'works') {
    diagnosis.push(
      `The two users' privileges differ: ${f.pair.error?.message ?? f.pair.detail ?? 'see above'}. ` +
        `The next rotation's setSecret makes them equal (it copies the base user's privileges to the other); ` +
        `testSecret fails until then.`,
    );
  }
  if (f.previous?.state === 'fails' && kind.previousStaysValid && !pending) {
    diagnosis.push(
      `AWSPREVIOUS (${f.previous.versionId}) no longer works on ${target}: ` +
        `clients still holding it lose access before the next rotation, which ${kind.name} otherwise guarantees.`,
    );
  }

  if (info.rotationEnabled === false) {
    if (!info.rotationLambdaArn) {
      diagnosis.push('Rotation is turned off and no rotation function is recorded for the secret.');
      manual.push(
        'Configure rotation with the Terraform module of the rotator (aws_secretsmanager_secret_rotation), ' +
          'which names the function and the schedule.',
      );
    } else if (!blocked) {
      diagnosis.push(
        'Rotation is turned off for this secret (a failing rotation was cancelled, or someone turned it off).',
      );
      const rules = info.rules.scheduleExpression
        ? `ScheduleExpression=${info.rules.scheduleExpression}` +
          `${info.rules.duration ? `,Duration=${info.rules.duration}` : ''}`
        : `AutomaticallyAfterDays=${info.rules.automaticallyAfterDays ?? 30}`;
      actions.push({
        kind: 'enable-rotation',
        text:
          `turn rotation back on with function ${info.rotationLambdaArn} (${describeSchedule(info.rules)}) ` +
          `and RotateImmediately=false: ` +
          `Secrets Manager tests the configuration (testSecret alone) now and rotates on the schedule`,
        byHand:
          `aws secretsmanager rotate-secret --secret-id ${arn} --rotation-lambda-arn ${info.rotationLambdaArn} ` +
          `--rotation-rules ${rules} --no-rotate-immediately`,
      });
    }
  } else if (info.rotationEnabled === undefined) {
    diagnosis.push('Rotation was never configured for this secret; repair does not configure it.');
    manual.push('Configure rotation with the Terraform module of the rotator (aws_secretsmanager_secret_rotation).');
  }

  if (assessment.verdict === 'overdue') {
    diagnosis.push(`Overdue: ${assessment.reason}.`);
    manual.push(
      `Rotation itself is on, so there is no label to fix: look at why it does not run ` +
        `(the function's errors alarm, its log group ${f.state.fn?.logGroup ?? '(unknown)'}, ` +
        `Secrets Manager's RotationFailed events in CloudTrail). ` +
        `To rotate now: aws secretsmanager rotate-secret --secret-id ${arn}, ` +
        `or from this machine: rotators rotate ${info.name} --local`,
    );
  }
  if (f.state.cleanup?.count) {
    diagnosis.push(cleanupSentence(f.state));
  }
  if (diagnosis.length === 0)
    diagnosis.push(
      `Healthy: AWSCURRENT works on ${target}, ` +
        `no rotation is unfinished, and rotation is on (${describeSchedule(info.rules)}).`,
    );
  return { diagnosis, actions, blocked, manual };
}

function keyIdOf(value: SecretRecord | undefined, label: string): string {
  const id = value?.keyId;
  return typeof id === 'string' ? `${label} (key ${id})` : label;
}

export function cleanupSentence(state: SecretState): string {
  const c = state.cleanup!;
  return (
    `The rotator's clean-up after promotion failed ${c.count} time${c.count === 1 ? '' : 's'} ` +
    `since ${formatDate(c.since)}` +
    (c.last ? ` (last at ${formatDate(c.last)})` : '') +
    ` (log group ${c.logGroup}): AWSCURRENT moved, but e.g. old API keys were not revoked; ` +
    `the next rotation retries it. ` +
    `Search the log group for "post-promotion clean-up failed" to see why.`
  );
}

/** Where the rotation stopped, told from which versions work (nothing else shows it from outside the function). */
function stoppedWhere(f: Findings, v: string, age: string): string {
  const pending = f.pending!;
  const kind = f.choice.kind;
  const target = kind.target ?? 'the target';
  const started = `Rotation ${v} (started${age})`;
  switch (pending.state) {
    case 'empty':
      return (
        `${started} stopped before createSecret stored a new value: ` +
        `Secrets Manager created the empty AWSPENDING version, ` +
        `and the function failed at createSecret or was never invoked. Nothing was changed on ${target}.` +
        (kind.name === 'api-key'
          ? ' The provider may hold a key createSecret created before it failed ' +
            '(its reply lost, or a crash before PutSecretValue).'
          : '')
      );
    case 'refused':
      return (
        `${started}: AWSPENDING ${pending.detail}. ` +
        `It was not written by this rotation's createSecret (or AWSCURRENT was edited during the rotation).`
      );
    case 'invalid':
      return (
        `${started}: AWSPENDING does not fit the ${kind.name} ` +
        `secret format (${pending.error?.message ?? 'see above'}).`
      );
    case 'works':
      return kind.target
        ? `${started} stopped before finishSecret: AWSPENDING already works on ${target} ` +
            `and passes the testSecret check, so only finishSecret (moving AWSCURRENT) is missing. ` +
            `(Which step ran last cannot be told from here; the function's log group says.)`
        : `${started} stopped after createSecret stored the new value; ` +
            `${kind.name} has nothing to set or test, so only finishSecret (moving AWSCURRENT) is missing.`;
    case 'skipped':
      return `${started}: AWSPENDING was not checked (${pending.detail}).`;
    default: {
      const loggedIn = pending.connections.some((c) => !/master/i.test(c.purpose));
      if (kind.alternating && loggedIn) {
        return (
          `${started} stopped in setSecret: AWSPENDING's user logs in, but the testSecret check fails ` +
          `(${pending.error?.message}); setSecret did not finish making the two users equal.`
        );
      }
      return (
        `${started} stopped after createSecret: AWSPENDING holds a new value that does not work on ${target} ` +
        `(${pending.error?.message}), so setSecret did not apply it.` +
        `${works(f.current) ? ' AWSCURRENT still works: clients are unaffected.' : ''}`
      );
    }
  }
}

function brokenTargetHints(f: Findings): string[] {
  const hints: string[] = [];
  const kind = f.choice.kind;
  if (works(f.previous)) {
    hints.push(
      `AWSPREVIOUS (${f.previous!.versionId}) still works: ` +
        `if clients need access now, point them at it, then fix AWSCURRENT's credentials on ${kind.target}.`,
    );
  }
  if (kind.name === 'postgres-single-user') {
    hints.push(
      `Set the user's password on the server to AWSCURRENT's (as an administrator), then run rotators doctor again; ` +
        `or put a new value the server accepts with aws secretsmanager put-secret-value.`,
    );
  } else if (kind.alternating) {
    hints.push(
      `Check the master secret and that the user AWSCURRENT names exists and may log in; ` +
        `the error above names what failed.`,
    );
  } else if (kind.name === 'api-key') {
    hints.push(
      `The key AWSCURRENT holds is refused by the provider: ` +
        `create a key by hand and store it (with its keyId) with aws secretsmanager put-secret-value.`,
    );
  }
  return hints;
}

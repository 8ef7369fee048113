/**
 * `rotators repair <secret-id> [--apply]`: the plan doctor prints (diagnose.ts), as a dry run, or
 * carried out. The target is checked before (doctor's findings) and after every change, and the
 * secret is never left without a working AWSCURRENT: a label is only moved to a version that works,
 * and a removal that races with the function finishing the rotation is turned into a finish.
 */
import { createRotationHandler, type SecretRecord } from '@rotators/core';
import { type Clients, describeSecret, enableRotation, removePendingLabel, restorePendingLabel } from '../aws.ts';
import { CLEANUP_FAILED_MESSAGE } from '../cleanup.ts';
import { CliError } from '../errors.ts';
import { type Action, type Findings, gatherFindings, type Plan, planRepair } from '../diagnose.ts';
import type { CliIo } from '../io.ts';
import type { VersionCheck } from '../probe.ts';
import { connectionsText, errorText, outcome, table, versionRows } from '../render.ts';
import { openSession, type Session } from '../setup.ts';
import { readSecretState, type SecretState } from '../state.ts';
import { currentVersionOf, pendingVersionOf } from '../verdict.ts';
import { checkJson, checksOf, checksTable, isAllWell, planJson, planText } from './doctor.ts';
import { rotationLine } from './status.ts';

export interface RepairOptions {
  secretId: string;
  json: boolean;
  rotator?: string;
  verbose: boolean;
  apply: boolean;
}

interface Applied {
  kind: Action['kind'] | 'recover';
  ok: boolean;
  detail: string;
}

export async function repair(clients: Clients, io: CliIo, options: RepairOptions): Promise<number> {
  const state = await readSecretState(clients, options.secretId, io.now());
  const session = await openSession(clients, state, io, options);
  const findings = await gatherFindings(session.probe, state, session.choice);
  const plan = planRepair(findings);

  if (!options.apply || plan.actions.length === 0) {
    report(io, options, { findings, plan, session, applied: [] });
    return isAllWell(findings, plan) ? 0 : 1;
  }

  const applied: Applied[] = [];
  const runner = new Runner(clients, session, findings, applied);
  for (const action of plan.actions) {
    if (!(await runner.run(action))) break;
  }
  const after = await readSecretState(clients, state.info.arn, io.now());
  const currentAfter = await checkCurrent(session, after);
  const configTest = runner.enabledRotation ? newPendingSince(state, after) : undefined;
  report(io, options, { findings, plan, session, applied, after, currentAfter, configTest });
  const settled =
    after.assessment.verdict === 'healthy' ||
    (configTest !== undefined && pendingVersionOf(after.info.stages) === configTest);
  return applied.every((a) => a.ok) && currentAfter?.state === 'works' && settled ? 0 : 1;
}

/** AWSCURRENT as it is now, checked on the target again. */
async function checkCurrent(session: Session, after: SecretState): Promise<VersionCheck | undefined> {
  const currentId = currentVersionOf(after.info.stages);
  if (!currentId) return undefined;
  const read = await session.probe.readCurrent(currentId);
  return read.check ?? (await session.probe.logsIn('AWSCURRENT', currentId, read.value!));
}

/** The AWSPENDING version RotateSecret(RotateImmediately=false) created for its configuration test, if any. */
function newPendingSince(before: SecretState, after: SecretState): string | undefined {
  const pending = pendingVersionOf(after.info.stages);
  return pending && !(pending in before.info.stages) ? pending : undefined;
}

class Runner {
  enabledRotation = false;
  private readonly arn: string;

  constructor(
    private readonly clients: Clients,
    private readonly session: Session,
    private readonly findings: Findings,
    private readonly applied: Applied[],
  ) {
    this.arn = findings.state.info.arn;
  }

  /** One action; false stops the rest. */
  async run(action: Action): Promise<boolean> {
    try {
      switch (action.kind) {
        case 'finish': {
          const cleanupFailed = await this.finish(action.versionId);
          this.applied.push({
            kind: 'finish',
            ok: true,
            detail: `finished rotation ${action.versionId}: it is AWSCURRENT now, and AWSPENDING is off it`,
          });
          if (cleanupFailed) this.applied.push({ kind: 'finish', ok: false, detail: cleanupFailed });
          return true;
        }
        case 'remove-pending':
          return await this.removePending(action.versionId);
        case 'revoke-created-keys':
          return await this.revokeCreatedKeys();
        case 'enable-rotation':
          return await this.enable();
      }
    } catch (error) {
      const described = this.session.probe.describe(error);
      this.applied.push({
        kind: action.kind,
        ok: false,
        detail: `${action.kind} failed: ${described.name}: ${described.message}`,
      });
      return false;
    }
  }

  /**
   * The engine's finishSecret, as Secrets Manager would invoke it, then the service's AWSPENDING
   * clean-up. Returns why the rotator's clean-up after the promotion failed, if it did (the engine
   * logs that and carries on).
   */
  private async finish(versionId: string): Promise<string | undefined> {
    const { logger } = this.session;
    const mark = logger.mark();
    const before = await describeSecret(this.clients, this.arn);
    if (before.rotationEnabled === false) {
      // The handler's preamble refuses every step while rotation is off: the rest of it, here, then the step itself.
      const stages = before.stages[versionId] ?? [];
      if (!stages.includes('AWSPENDING') || stages.includes('AWSCURRENT'))
        throw new CliError(
          `not finished: version ${versionId} no longer holds AWSPENDING alone ` +
            `(something else changed the labels meanwhile)`,
        );
      await this.session.probe.finishStep(versionId, before.stages);
    } else {
      const handler = createRotationHandler(this.session.probe.rotator, {
        client: this.clients.secrets,
        env: this.session.env,
        logger,
      });
      await handler({ Step: 'finishSecret', SecretId: this.arn, ClientRequestToken: versionId });
    }
    const info = await describeSecret(this.clients, this.arn);
    if (info.stages[versionId]?.includes('AWSPENDING')) await removePendingLabel(this.clients, this.arn, versionId);
    const failed = logger.since(mark).find((l) => l.message === CLEANUP_FAILED_MESSAGE);
    if (!failed) return undefined;
    const error = failed.error as { name?: string; message?: string } | undefined;
    return (
      `the rotator's clean-up after promoting ${versionId} failed ` +
      `(${error?.name}: ${error?.message}); the next rotation retries it`
    );
  }

  private async removePending(versionId: string): Promise<boolean> {
    await removePendingLabel(this.clients, this.arn, versionId);
    this.applied.push({ kind: 'remove-pending', ok: true, detail: `removed AWSPENDING from version ${versionId}` });
    // Checked at once: if the function finished setSecret meanwhile (Secrets Manager retries a
    // failed rotation), AWSCURRENT no longer works and the version whose label was just removed does.
    const { probe } = this.session;
    const currentId = this.findings.state.assessment.currentVersionId!;
    const current = await probe.logsIn('AWSCURRENT', currentId, this.findings.currentValue!);
    if (current.state === 'works' || !this.findings.pendingValue) return true;
    const pending = await probe.passesTestSecret(this.findings.currentValue!, versionId, this.findings.pendingValue);
    if (pending.state !== 'works') return true; // reported by the after-check: nothing works, nothing to move to
    await restorePendingLabel(this.clients, this.arn, versionId);
    await this.finish(versionId);
    this.applied.push({
      kind: 'recover',
      ok: true,
      detail:
        `AWSCURRENT stopped working right after, while ${versionId} now works ` +
        `(the function finished setSecret meanwhile): ` +
        `AWSPENDING was put back and the rotation finished forward instead`,
    });
    return false;
  }

  /** api-key: the rotator's own clean-up, with AWSCURRENT and AWSPREVIOUS as they are. */
  private async revokeCreatedKeys(): Promise<boolean> {
    const { probe, logger } = this.session;
    const rotator = probe.rotator;
    const current = this.findings.currentValue as SecretRecord;
    if (!rotator.afterFinish) return true;
    const mark = logger.mark();
    await rotator.afterFinish(
      { current, previous: this.findings.previousValue ?? current },
      probe.context(this.findings.state.assessment.currentVersionId!, 'finishSecret'),
    );
    const lines = logger.since(mark);
    const ids = (message: string) => lines.filter((l) => l.message === message).map((l) => String(l.keyId));
    const revoked = ids('Revoked an old API key');
    const gone = ids('Old API key was already gone');
    this.applied.push({
      kind: 'revoke-created-keys',
      ok: true,
      detail:
        revoked.length + gone.length === 0
          ? 'no key to revoke: the provider lists no key of this secret besides those AWSCURRENT and AWSPREVIOUS hold'
          : `revoked ${revoked.length === 1 ? 'key' : 'keys'} ${revoked.join(', ') || '(none)'}` +
            `${gone.length ? `; already gone: ${gone.join(', ')}` : ''}`,
    });
    return true;
  }

  private async enable(): Promise<boolean> {
    // Only with a working AWSCURRENT: the configuration test Secrets Manager runs now would fail otherwise.
    const state = await readSecretState(this.clients, this.arn, new Date());
    const current = await checkCurrent(this.session, state);
    if (current?.state !== 'works') {
      this.applied.push({
        kind: 'enable-rotation',
        ok: false,
        detail: 'rotation left off: AWSCURRENT does not work on the target',
      });
      return false;
    }
    await enableRotation(this.clients, this.findings.state.info);
    this.enabledRotation = true;
    this.applied.push({
      kind: 'enable-rotation',
      ok: true,
      detail:
        'rotation is on again; Secrets Manager tests the configuration (testSecret alone) and rotates on the schedule',
    });
    return true;
  }
}

interface Report {
  findings: Findings;
  plan: Plan;
  session: Session;
  applied: Applied[];
  after?: SecretState;
  currentAfter?: VersionCheck;
  configTest?: string;
}

function report(io: CliIo, options: RepairOptions, r: Report): void {
  const { findings: f, plan } = r;
  const { info } = f.state;
  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          command: 'repair',
          apply: options.apply,
          secret: { arn: info.arn, name: info.name },
          rotator: { name: f.choice.kind.name, chosenBy: f.choice.chosenBy, target: f.choice.kind.target },
          before: {
            verdict: f.state.assessment.verdict,
            reason: f.state.assessment.reason,
            stages: info.stages,
            checks: checksOf(f).map(checkJson),
          },
          plan: planJson(f, plan),
          changed: options.apply && r.applied.length > 0,
          applied: r.applied,
          after: r.after
            ? {
                verdict: r.after.assessment.verdict,
                reason: r.after.assessment.reason,
                stages: r.after.info.stages,
                current: r.currentAfter ? checkJson(r.currentAfter) : null,
                configurationTest: r.configTest ?? null,
              }
            : null,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const now = io.now();
  const lines = [
    `secret       ${info.name}`,
    `arn          ${info.arn}`,
    rotationLine(f.state),
    `rotator      ${f.choice.kind.name} (chosen by ${f.choice.chosenBy})`,
    `verdict      ${f.state.assessment.verdict}: ${f.state.assessment.reason}`,
    '',
    'before',
    table(['VERSION', 'LABELS', 'CREATED'], versionRows(info, f.state.dates, now)),
    '',
    checksTable(f),
    '',
    'diagnosis',
    ...plan.diagnosis.map((d) => `  - ${d}`),
    '',
  ];
  if (!options.apply || plan.actions.length === 0) {
    lines.push(...planText(f, plan, plan.actions.length > 0 ? 'plan (dry run):' : 'plan'));
    if (plan.actions.length > 0)
      lines.push(
        '',
        `dry run: nothing was changed. Run again with --apply to do this: rotators repair ${info.name} --apply`,
      );
    else if (!plan.blocked && plan.manual.length === 0) lines.push('nothing to repair.');
  } else {
    lines.push('applied');
    for (const a of r.applied) lines.push(`  ${a.ok ? 'ok    ' : 'FAILED'} ${a.detail}`);
    if (r.after) {
      lines.push(
        '',
        'after',
        table(['VERSION', 'LABELS', 'CREATED'], versionRows(r.after.info, r.after.dates, now)),
        '',
      );
      if (r.currentAfter) {
        const c = r.currentAfter;
        lines.push(
          `  AWSCURRENT ${c.versionId}: ${outcome(c, f.choice.kind)}` +
            `${c.state === 'works' ? (connectionsText(c) ? ` (${connectionsText(c)})` : '') : ` — ${errorText(c)}`}`,
        );
      }
      if (r.configTest)
        lines.push(
          `  AWSPENDING ${r.configTest}: Secrets Manager's configuration test (testSecret alone); ` +
            `it removes the label when done`,
        );
      lines.push('', `verdict      ${r.after.assessment.verdict}: ${r.after.assessment.reason}`);
      const manual =
        plan.manual.length > 0 ? ['', 'still for a person to do:', ...plan.manual.map((m) => `  - ${m}`)] : [];
      lines.push(...manual);
    }
  }
  io.out(`${lines.join('\n')}\n`);
}

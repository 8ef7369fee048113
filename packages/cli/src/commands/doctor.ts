/** `rotators doctor <secret-id>`: which versions work on the target, where a rotation stopped, and the exact fix. */
import type { Clients } from '../aws.ts';
import { type Findings, gatherFindings, type Plan, planRepair } from '../diagnose.ts';
import type { CliIo } from '../io.ts';
import type { VersionCheck } from '../probe.ts';
import { connectionsText, errorText, outcome, table } from '../render.ts';
import { openSession, type Session } from '../setup.ts';
import { readSecretState } from '../state.ts';
import { cleanupJson, cleanupText, rotationLine } from './status.ts';

export interface DoctorOptions {
  secretId: string;
  json: boolean;
  rotator?: string;
  verbose: boolean;
}

export async function doctor(clients: Clients, io: CliIo, options: DoctorOptions): Promise<number> {
  const state = await readSecretState(clients, options.secretId, io.now());
  const session = await openSession(clients, state, io, options);
  const findings = await gatherFindings(session.probe, state, session.choice);
  const plan = planRepair(findings);
  if (options.json) io.out(`${JSON.stringify(doctorJson(findings, plan, session), null, 2)}\n`);
  else io.out(doctorText(findings, plan, session));
  return isAllWell(findings, plan) ? 0 : 1;
}

export function isAllWell(f: Findings, plan: Plan): boolean {
  return (
    f.state.assessment.verdict === 'healthy' &&
    f.current.state === 'works' &&
    plan.actions.length === 0 &&
    !plan.blocked &&
    plan.manual.length === 0 &&
    !f.state.cleanup?.count &&
    (!f.pair || f.pair.state === 'works')
  );
}

export function checksOf(f: Findings): VersionCheck[] {
  return [f.current, f.pending, f.previous, f.pair].filter((c): c is VersionCheck => c !== undefined);
}

export function checkJson(check: VersionCheck) {
  return {
    label: check.label,
    versionId: check.versionId ?? null,
    state: check.state,
    detail: check.detail ?? null,
    error: check.error ?? null,
    connections: check.connections,
  };
}

export function planJson(f: Findings, plan: Plan) {
  return {
    diagnosis: plan.diagnosis,
    blocked: plan.blocked ?? null,
    repairCommand: plan.actions.length > 0 ? `rotators repair ${f.state.info.name} --apply` : null,
    actions: plan.actions.map((a) => ({
      kind: a.kind,
      versionId: 'versionId' in a ? a.versionId : null,
      text: a.text,
      byHand: 'byHand' in a ? a.byHand : null,
    })),
    manual: plan.manual,
  };
}

function doctorJson(f: Findings, plan: Plan, session: Session) {
  const { info, assessment } = f.state;
  return {
    command: 'doctor',
    secret: { arn: info.arn, name: info.name },
    rotator: {
      name: f.choice.kind.name,
      chosenBy: f.choice.chosenBy,
      target: f.choice.kind.target,
      settingsFromFunction: session.fromFunction,
    },
    verdict: assessment.verdict,
    reason: assessment.reason,
    checks: checksOf(f).map(checkJson),
    ...planJson(f, plan),
    cleanupFailures: cleanupJson(f.state.cleanup),
  };
}

export function checksTable(f: Findings): string {
  const kind = f.choice.kind;
  const rows = checksOf(f).map((check) => [
    check.label === 'pair' ? 'USERS' : check.label,
    check.versionId ?? '-',
    outcome(check, kind),
    [connectionsText(check), check.state === 'works' ? (check.detail ?? '') : errorText(check)]
      .filter(Boolean)
      .join('; '),
  ]);
  return table(['LABEL', 'VERSION', 'ON THE TARGET', 'DETAIL'], rows);
}

export function planText(_f: Findings, plan: Plan, heading: string): string[] {
  const lines: string[] = [];
  if (plan.blocked) lines.push(`${heading}: none — ${plan.blocked}`);
  else if (plan.actions.length > 0) {
    lines.push(heading);
    plan.actions.forEach((action, i) => {
      lines.push(`  ${i + 1}. ${action.text}`);
      if ('byHand' in action) lines.push(`     by hand: ${action.byHand}`);
    });
  }
  if (plan.manual.length > 0) {
    lines.push('for a person to do:');
    for (const step of plan.manual) lines.push(`  - ${step}`);
  }
  return lines;
}

function doctorText(f: Findings, plan: Plan, session: Session): string {
  const { info, assessment } = f.state;
  const kind = f.choice.kind;
  const settings =
    session.fromFunction.length > 0
      ? `settings from the function's environment (${session.fromFunction.join(', ')}) and this shell`
      : "settings from this shell's environment";
  const lines = [
    `secret       ${info.name}`,
    `arn          ${info.arn}`,
    rotationLine(f.state),
    `rotator      ${kind.name} (chosen by ${f.choice.chosenBy}); target ${kind.target ?? 'none'}; ${settings}`,
    '',
    checksTable(f),
    '',
    `clean-up     ${cleanupText(f.state.cleanup)}`,
    `verdict      ${assessment.verdict}: ${assessment.reason}`,
    '',
    'diagnosis',
    ...plan.diagnosis.map((d) => `  - ${d}`),
  ];
  const fix = planText(
    f,
    plan,
    plan.actions.length > 0
      ? `fix: rotators repair ${info.name} --apply (dry run without --apply) does, in order:`
      : 'fix',
  );
  if (fix.length > 0) lines.push('', ...fix);
  return `${lines.join('\n')}\n`;
}

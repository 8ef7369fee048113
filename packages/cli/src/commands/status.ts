/** `rotators status <secret-id>` and `rotators status --all`. */
import { type Clients, listRotatingSecrets } from '../aws.ts';
import { type CleanupFailures, cleanupWindowStart, countCleanupFailures } from '../cleanup.ts';
import type { CliIo } from '../io.ts';
import { mapBounded } from '../pool.ts';
import { table, versionRows, when } from '../render.ts';
import { assessSecret, type FunctionCache, readSecretState, type SecretState } from '../state.ts';
import { describeSchedule, formatAge, formatDate, type Verdict } from '../verdict.ts';

export interface StatusOptions {
  json: boolean;
  secretId?: string;
  all: boolean;
  concurrency: number;
}

export async function status(clients: Clients, io: CliIo, options: StatusOptions): Promise<number> {
  if (options.all) return statusAll(clients, io, options);
  const now = io.now();
  const state = await readSecretState(clients, options.secretId!, now);
  if (options.json) io.out(`${JSON.stringify(statusJson(state), null, 2)}\n`);
  else io.out(statusText(state, now));
  return isHealthy(state) ? 0 : 1;
}

export function isHealthy(state: SecretState): boolean {
  return state.assessment.verdict === 'healthy' && !state.cleanup?.count;
}

export function statusJson(state: SecretState) {
  const { info, fn, assessment } = state;
  return {
    command: 'status',
    secret: { arn: info.arn, name: info.name },
    verdict: assessment.verdict,
    reason: assessment.reason,
    rotation: {
      enabled: info.rotationEnabled ?? null,
      function: fn
        ? {
            arn: fn.arn,
            name: fn.name,
            rotator: fn.rotator ?? null,
            timeoutSeconds: fn.timeoutSeconds ?? null,
            unreadable: fn.unreadable ?? null,
          }
        : null,
      schedule: info.rules,
      lastRotated: info.lastRotated?.toISOString() ?? null,
      nextRotation: info.nextRotation?.toISOString() ?? null,
      dueBy: assessment.dueBy?.toISOString() ?? null,
    },
    versions: Object.entries(info.stages).map(([versionId, labels]) => ({
      versionId,
      labels,
      created: state.dates?.get(versionId)?.toISOString() ?? null,
    })),
    pending: assessment.pending
      ? {
          versionId: assessment.pending.versionId,
          since: assessment.pending.since?.toISOString() ?? null,
          ageSeconds: assessment.pending.ageSeconds ?? null,
          windowSeconds: assessment.pending.windowSeconds,
        }
      : null,
    cleanupFailures: cleanupJson(state.cleanup),
  };
}

export function cleanupJson(cleanup: CleanupFailures | undefined) {
  if (!cleanup) return null;
  return {
    count: cleanup.count ?? null,
    last: cleanup.last?.toISOString() ?? null,
    since: cleanup.since.toISOString(),
    logGroup: cleanup.logGroup ?? null,
    unknown: cleanup.unknown ?? null,
  };
}

export function rotationLine(state: SecretState): string {
  const { info, fn } = state;
  const onOff = info.rotationEnabled === true ? 'on' : info.rotationEnabled === false ? 'OFF' : 'never configured';
  const fnText = fn
    ? `function ${fn.name}${fn.rotator ? ` (${fn.rotator})` : ''}, ` +
      `${
        fn.timeoutSeconds !== undefined
          ? `timeout ${fn.timeoutSeconds} s`
          : `configuration unreadable: ${fn.unreadable}`
      }`
    : 'no rotation function';
  return `rotation     ${onOff}, ${describeSchedule(info.rules)}; ${fnText}`;
}

function statusText(state: SecretState, now: Date): string {
  const { info, assessment } = state;
  const lines = [
    `secret       ${info.name}`,
    `arn          ${info.arn}`,
    rotationLine(state),
    `last rotated ${when(info.lastRotated, now)}`,
    `due by       ${assessment.dueBy ? when(assessment.dueBy, now) : '-'}`,
    '',
    table(['VERSION', 'LABELS', 'CREATED'], versionRows(info, state.dates, now)),
  ];
  if (state.datesUnreadable) lines.push(`  (version dates unreadable: ${state.datesUnreadable})`);
  lines.push(
    '',
    `clean-up     ${cleanupText(state.cleanup)}`,
    '',
    `verdict      ${assessment.verdict}: ${assessment.reason}`,
  );
  const next = nextStep(state);
  if (next) lines.push(`next         ${next}`);
  return `${lines.join('\n')}\n`;
}

export function cleanupText(cleanup: CleanupFailures | undefined): string {
  if (!cleanup) return '-';
  if (cleanup.count === undefined) return `post-promotion clean-up failures unknown: ${cleanup.unknown}`;
  if (cleanup.count === 0) return `no post-promotion clean-up failure logged since ${formatDate(cleanup.since)}`;
  return (
    `post-promotion clean-up FAILED ${cleanup.count} time${cleanup.count === 1 ? '' : 's'} ` +
    `since ${formatDate(cleanup.since)}${cleanup.last ? ` (last at ${formatDate(cleanup.last)})` : ''}: ` +
    `see "post-promotion clean-up failed" in ${cleanup.logGroup}`
  );
}

function nextStep(state: SecretState): string | undefined {
  const name = state.info.name;
  switch (state.assessment.verdict) {
    case 'stuck':
      return `rotators doctor ${name}   (which versions log in, and the exact fix), then rotators repair ${name}`;
    case 'rotating':
      return (
        `wait; if it is still unfinished after ${formatAge(state.assessment.pending!.windowSeconds)}, ` +
        `it counts as stuck`
      );
    case 'overdue':
      return (
        `rotators doctor ${name}   (does AWSCURRENT still work?); ` +
        `check the function's errors alarm and Secrets Manager's RotationFailed events`
      );
    case 'disabled':
      return state.info.rotationEnabled === false
        ? `rotators repair ${name}   (turns rotation back on)`
        : "configure rotation with the rotator's Terraform module";
    default:
      return state.cleanup?.count ? `rotators doctor ${state.info.name}` : undefined;
  }
}

const ORDER: Verdict[] = ['stuck', 'overdue', 'rotating', 'disabled', 'healthy'];

async function statusAll(clients: Clients, io: CliIo, options: StatusOptions): Promise<number> {
  const now = io.now();
  const started = Date.now();
  const progress = progressLine(io);
  progress('listing secrets with rotation on…', true);
  const infos = await listRotatingSecrets(clients, (seen) => progress(`listing secrets: ${seen} seen…`));
  const cache: FunctionCache = new Map();
  progress(`reading ${infos.length} secrets (${options.concurrency} at a time)…`, true);
  const states = await mapBounded(
    infos,
    options.concurrency,
    (info) => assessSecret(clients, info, cache, now, { allDates: false }),
    (done) => progress(`reading ${done}/${infos.length} secrets (${options.concurrency} at a time)…`),
  );

  // Clean-up failures: one log search per function, counted per secret.
  progress("reading the functions' logs for clean-up failures…", true);
  const byFunction = new Map<string, SecretState[]>();
  for (const state of states) {
    const key = state.fn?.arn ?? '';
    byFunction.set(key, [...(byFunction.get(key) ?? []), state]);
  }
  await mapBounded([...byFunction.values()], options.concurrency, async (group) => {
    const windows = new Map(group.map((s) => [s.info.arn, cleanupWindowStart(s.info.lastRotated, now)]));
    const counts = await countCleanupFailures(clients, group[0]!.fn, windows);
    for (const s of group) s.cleanup = counts.get(s.info.arn);
  });
  progress(undefined);
  io.err(
    `read ${states.length} secret${states.length === 1 ? '' : 's'} with rotation on in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s (at most ${options.concurrency} reads at a time)\n`,
  );

  states.sort(
    (a, b) =>
      ORDER.indexOf(a.assessment.verdict) - ORDER.indexOf(b.assessment.verdict) ||
      a.info.name.localeCompare(b.info.name),
  );
  const counts = Object.fromEntries(
    ORDER.map((v) => [v, states.filter((s) => s.assessment.verdict === v).length]),
  ) as Record<Verdict, number>;
  const cleanupFailing = states.filter((s) => s.cleanup?.count).length;
  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          command: 'status',
          all: true,
          region: clients.region,
          count: states.length,
          verdicts: counts,
          cleanupFailing,
          secrets: states.map((s) => ({
            arn: s.info.arn,
            name: s.info.name,
            verdict: s.assessment.verdict,
            reason: s.assessment.reason,
            lastRotated: s.info.lastRotated?.toISOString() ?? null,
            dueBy: s.assessment.dueBy?.toISOString() ?? null,
            function: s.fn?.name ?? null,
            pending: s.assessment.pending
              ? { versionId: s.assessment.pending.versionId, ageSeconds: s.assessment.pending.ageSeconds ?? null }
              : null,
            cleanupFailures: cleanupJson(s.cleanup),
          })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const rows = states.map((s) => [
      s.info.name,
      s.assessment.verdict +
        (s.cleanup?.count ? ` (+${s.cleanup.count} clean-up failure${s.cleanup.count === 1 ? '' : 's'})` : ''),
      s.info.lastRotated ? formatDate(s.info.lastRotated) : 'never',
      s.assessment.pending
        ? `pending ${s.assessment.pending.versionId}`
        : s.assessment.dueBy
          ? `due ${formatDate(s.assessment.dueBy)}`
          : '-',
      s.fn?.name ?? '-',
    ]);
    const summary =
      ORDER.filter((v) => counts[v] > 0)
        .map((v) => `${counts[v]} ${v}`)
        .join(', ') || 'none';
    io.out(
      `${
        states.length > 0
          ? `${table(['SECRET', 'VERDICT', 'LAST ROTATED', 'PENDING / DUE', 'FUNCTION'], rows)}\n\n`
          : ''
      }` +
        `${states.length} secret${states.length === 1 ? '' : 's'} with rotation on in ${clients.region}: ` +
        `${summary}${cleanupFailing ? `; ${cleanupFailing} with clean-up failures` : ''}\n` +
        (counts.stuck > 0 ? `next: rotators doctor <secret> for each stuck one, then rotators repair <secret>\n` : ''),
    );
  }
  return states.every(isHealthy) ? 0 : 1;
}

/**
 * A progress line on stderr: redrawn in place on a terminal; elsewhere (a log, CI) each phase's
 * first line and then at most one line a second.
 */
function progressLine(io: CliIo): (text: string | undefined, phase?: boolean) => void {
  let shown = '';
  let lastWrite = 0;
  return (text, phase = false) => {
    if (io.errIsTty) {
      const clear = `\r${' '.repeat(shown.length)}\r`;
      shown = text ?? '';
      io.err(`${clear}${shown}`);
      return;
    }
    if (text === undefined) return;
    const now = Date.now();
    if (phase || now - lastWrite >= 1000) {
      lastWrite = now;
      io.err(`${text}\n`);
    }
  };
}

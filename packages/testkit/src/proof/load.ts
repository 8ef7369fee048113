/**
 * Zero downtime under load: clients that read AWSCURRENT through a cache with a TTL (as AWS's
 * caching client does; a client also refreshes after a refused login, as applications do) and log
 * in continuously, all at once, while the service runs back-to-back rotations. The rotation
 * interval (between one rotation's end and the next one's start) is longer than the TTL, as in
 * production (days against an hour), so no client holds a version older than AWSPREVIOUS.
 *
 * Every login is classified by what the version it used was when the login started (a timeline
 * the recorder keeps at every label or target write):
 *   alternating users, API key: a refusal of AWSCURRENT or AWSPREVIOUS is a violation (and the
 *     issue asks for 0 failed logins / 0 failed calls with the previous key);
 *   single user: a refusal of the version whose password the target holds is a violation; a
 *     refusal of the old password (the window between setSecret and finishSecret) is counted, and
 *     each client must recover (log in again) once it has refreshed.
 * Bounded: a fixed number of rotations, then the clients stop; loopback only.
 */
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { rememberSecretJson } from '../logCapture.ts';
import { CaseRun, type ProofContext, cleanProblems } from './harness.ts';
import type { ProofSubject } from './registry.ts';
import type { Fixture } from './fixture.ts';

export interface LoadOptions {
  clients: number;
  rotations: number;
  /** The clients' cache TTL. */
  ttlMs: number;
  /** Pause between rotations (the rotation interval, scaled down): must exceed ttlMs. */
  intervalMs: number;
  /** Pause between one client's logins. */
  paceMs: number;
}

export interface LoadResult {
  clients: number;
  rotations: number;
  logins: number;
  /** Logins made with the version AWSPREVIOUS held then: the grace interval, exercised. */
  withPrevious: number;
  failed: number;
  /**
   * Refusals the strategy allows: single user, a password the target had already replaced (its
   * window between setSecret and finishSecret), or a login under way while the password changed.
   */
  failedStale: number;
  /** Refusals the strategy does not allow (see above). */
  violations: number;
  /** Logins that failed for another reason than a refused credential (network, too many connections). */
  errors: number;
  clientsAffected: number;
  /** Most consecutive refusals of one client. */
  maxStreak: number;
  /** Longest time from a client's first refusal to its next successful login. */
  maxRecoveryMs: number;
  /** Clients whose last login failed (did not recover). */
  notRecovered: number;
  durationMs: number;
  problems: string[];
}

interface Labels {
  t: number;
  /** A write is under way: what the target accepts or the labels hold may change at any moment until the next entry. */
  inFlux?: boolean;
  current?: string;
  previous?: string;
  /** The newest version that holds a value (the pending one once createSecret put it). */
  newest?: string;
  /** Single user: the version whose password the target holds (the newest, once setSecret wrote it). */
  accepted?: string;
}

interface Login {
  client: number;
  t: number;
  /** When the answer came. */
  end: number;
  versionId: string;
  ok: boolean;
  error?: string;
}

export async function runLoad(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  options: LoadOptions,
): Promise<LoadResult> {
  const started = Date.now();
  const run = await CaseRun.start(ctx, subject, fixture, { probe: false });
  const timeline: Labels[] = [];
  const created: string[] = [];
  const snapshot = async () => {
    const stages =
      (await ctx.admin.send(new DescribeSecretCommand({ SecretId: run.secretId }))).VersionIdsToStages ?? {};
    const holder = (label: string) => Object.entries(stages).find(([, s]) => s.includes(label))?.[0];
    const pending = holder('AWSPENDING');
    if (pending && !created.includes(pending)) created.push(pending);
    const current = holder('AWSCURRENT');
    timeline.push({
      t: Date.now(),
      current,
      previous: holder('AWSPREVIOUS'),
      newest: created.at(-1) ?? current,
      accepted: timeline.at(-1)?.accepted ?? current,
      inFlux: false,
    });
  };
  await snapshot();
  // The function's Secrets Manager writes move labels or add values; its target writes change
  // which password the target holds (the newest). The timeline is updated before the call returns.
  run.recorder.beforeStateChange = () => timeline.push({ ...timeline.at(-1)!, t: Date.now(), inFlux: true });
  run.recorder.onStateChange = async (call) => {
    if (call.channel === 'secretsmanager') await snapshot();
    else timeline.push({ ...timeline.at(-1)!, t: Date.now(), accepted: timeline.at(-1)!.newest, inFlux: false });
  };

  const logins: Login[] = [];
  let stop = false;
  const client = async (id: number) => {
    let cached: { at: number; versionId: string; value: Record<string, unknown> } | undefined;
    while (!stop) {
      if (!cached || Date.now() - cached.at > options.ttlMs) {
        const out = await ctx.admin.send(
          new GetSecretValueCommand({ SecretId: run.secretId, VersionStage: 'AWSCURRENT' }),
        );
        rememberSecretJson(out.SecretString);
        cached = {
          at: Date.now(),
          versionId: out.VersionId!,
          value: JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>,
        };
      }
      const login: Login = { client: id, t: Date.now(), end: 0, versionId: cached.versionId, ok: false };
      try {
        login.ok = await fixture.logsIn(cached.value);
      } catch (error) {
        login.error = `${(error as Error).name}: ${(error as { code?: string }).code ?? (error as Error).message}`;
      }
      login.end = Date.now();
      logins.push(login);
      // A refused login makes the client read the secret again before its next try.
      if (!login.ok) cached = undefined;
      await sleep(options.paceMs);
    }
  };

  const problems: string[] = [];
  const clients = Array.from({ length: options.clients }, (_, i) => client(i));
  let rotations = 0;
  try {
    await sleep(options.intervalMs);
    for (let i = 1; i <= options.rotations; i += 1) {
      problems.push(...cleanProblems(await run.service.rotate(run.secretId), `rotation ${i} under load`));
      rotations += 1;
      await sleep(options.intervalMs);
    }
  } finally {
    stop = true;
    await Promise.allSettled(clients);
  }
  return {
    ...classify(subject, logins, timeline, problems),
    clients: options.clients,
    rotations,
    durationMs: Date.now() - started,
  };
}

function classify(
  subject: ProofSubject,
  logins: Login[],
  timeline: Labels[],
  problems: string[],
): Omit<LoadResult, 'clients' | 'rotations' | 'durationMs'> {
  const at = (t: number) => [...timeline].reverse().find((entry) => entry.t <= t) ?? timeline[0]!;
  let failed = 0;
  let withPrevious = 0;
  let failedStale = 0;
  let violations = 0;
  let errors = 0;
  for (const login of logins) {
    if (login.versionId === at(login.t).previous) withPrevious += 1;
    if (login.ok) continue;
    if (login.error) {
      errors += 1;
      continue;
    }
    failed += 1;
    // The states the login may have met: from the one at its start to the one at its answer. A
    // refusal is a violation only if in every one of them the version had to be accepted.
    const states = [at(login.t), ...timeline.filter((entry) => entry.t > login.t && entry.t <= login.end)];
    const mustAccept = (labels: Labels) =>
      !labels.inFlux &&
      (subject.strategy === 'single user'
        ? login.versionId === labels.accepted
        : login.versionId === labels.current || login.versionId === labels.previous);
    const allowed = !states.every(mustAccept);
    if (allowed) failedStale += 1;
    else violations += 1;
  }
  if (violations > 0) problems.push(`${violations} refused login(s) with a version the strategy must keep valid`);
  if (errors > 0)
    problems.push(
      `${errors} login(s) failed for another reason: ` +
        `${[...new Set(logins.filter((l) => l.error).map((l) => l.error))].slice(0, 3).join('; ')}`,
    );
  if (subject.strategy !== 'single user' && failed > 0)
    problems.push(`${failed} failed login(s); ${subject.strategy} must have none`);

  // Streaks of refusals per client, and how long each took to end in a successful login.
  let maxStreak = 0;
  let maxRecoveryMs = 0;
  let notRecovered = 0;
  const affected = new Set<number>();
  const byClient = new Map<number, Login[]>();
  for (const login of logins) byClient.set(login.client, [...(byClient.get(login.client) ?? []), login]);
  for (const [client, list] of byClient) {
    let streak = 0;
    let since = 0;
    for (const login of list) {
      if (!login.ok) {
        affected.add(client);
        if (streak === 0) since = login.t;
        streak += 1;
        maxStreak = Math.max(maxStreak, streak);
      } else if (streak > 0) {
        maxRecoveryMs = Math.max(maxRecoveryMs, login.t - since);
        streak = 0;
      }
    }
    if (streak > 0) notRecovered += 1;
  }
  if (notRecovered > 0) problems.push(`${notRecovered} client(s) did not recover: their last login failed`);
  if (logins.length === 0) problems.push('no login was made');
  return {
    logins: logins.length,
    withPrevious,
    failed,
    failedStale,
    violations,
    errors,
    clientsAffected: affected.size,
    maxStreak,
    maxRecoveryMs,
    notRecovered,
    problems,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

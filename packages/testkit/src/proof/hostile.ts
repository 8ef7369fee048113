/**
 * Runs the hostile-input table (hostileCases.ts) against a rotator: each case on a fresh secret,
 * RotateSecret for a token, the planted AWSPENDING if any, then one invocation of the case's step.
 * A case passes when the handler throws a typed error (a RotationError) that names the field, and
 * nothing was written: no PutSecretValue or UpdateSecretVersionStage by the function, no write
 * statement or write request through its wires, and none in the server's own log (the PostgreSQL
 * statement log, MariaDB's general log, the key API's request log) — counted, not assumed.
 */
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { RotationError } from '@rotators/core';
import { rememberSecretJson } from '../logCapture.ts';
import { CaseRun, type ProofContext, rememberVersions } from './harness.ts';
import {
  HOSTILE_CASES,
  type HostileCase,
  type HostileGroup,
  type HostileHelpers,
  naturalPending,
} from './hostileCases.ts';
import type { ProofSubject } from './registry.ts';
import { newPassword, storeSecret } from './targets.ts';
import type { Fixture } from './fixture.ts';

export interface HostileOutcome {
  name: string;
  group: HostileGroup;
  field: string;
  step: string;
  /** The error's class, or "(none: the step succeeded)". */
  error: string;
  /** Fields the error names. */
  named: string[];
  writes: { secretsManager: number; wires: number; server?: number };
  problems: string[];
}

/** Errors whose class says which field of the event is at fault. */
const FIELD_OF_CLASS: Record<string, string> = {
  UnknownVersionError: 'ClientRequestToken',
  VersionNotPendingError: 'ClientRequestToken',
  RotationNotEnabledError: 'RotationEnabled',
};

export function casesFor(subject: ProofSubject): HostileCase[] {
  return HOSTILE_CASES.filter((c) => c.applies(subject.kind, subject.strategy));
}

export async function runHostile(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  cases = casesFor(subject),
): Promise<HostileOutcome[]> {
  const outcomes: HostileOutcome[] = [];
  for (const hostile of cases) outcomes.push(await runCase(ctx, subject, fixture, hostile));
  return outcomes;
}

async function runCase(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  hostile: HostileCase,
): Promise<HostileOutcome> {
  const fields = Array.isArray(hostile.field) ? hostile.field : [hostile.field];
  const outcome: HostileOutcome = {
    name: hostile.name,
    group: hostile.group,
    field: fields.join(' or '),
    step: hostile.step,
    error: '',
    named: [],
    writes: { secretsManager: 0, wires: 0 },
    problems: [],
  };
  try {
    const helpers: HostileHelpers = {
      store: (value) => storeSecret(ctx.admin, value, 'proof-hostile'),
      read: async (secretId) =>
        JSON.parse(
          (await ctx.admin.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' })))
            .SecretString ?? '{}',
        ) as Record<string, unknown>,
      foreign: fixture.foreign ? () => fixture.foreign!() : undefined,
    };
    let stored: Record<string, unknown> | undefined;
    const run = await CaseRun.start(ctx, subject, fixture, {
      probe: false,
      override: async (value) => {
        const current = hostile.current ? await hostile.current(value, helpers) : value;
        stored = typeof current === 'string' ? undefined : current;
        return current;
      },
    });
    const token = await run.service.start(run.secretId);
    if (hostile.step !== 'createSecret' && !hostile.noPending) {
      const natural = naturalPending(stored ?? {}, subject.strategy, newPassword());
      await plant(
        ctx,
        run.secretId,
        token,
        hostile.pending ? await hostile.pending(natural, stored ?? {}, helpers) : natural,
      );
    }
    const customVersionId = randomUUID();
    if (hostile.event)
      await ctx.admin.send(
        new PutSecretValueCommand({
          SecretId: run.secretId,
          ClientRequestToken: customVersionId,
          SecretString: JSON.stringify(stored ?? {}),
          VersionStages: ['CUSTOM'],
        }),
      );

    const base = { Step: hostile.step, SecretId: run.secretId, ClientRequestToken: token };
    const event = hostile.event ? hostile.event(base, { customVersionId }) : base;
    const mark = await fixture.serverWrites?.mark();
    run.recorder.reset();
    let thrown: unknown;
    try {
      await run.newHandler()(event);
    } catch (error) {
      thrown = error;
    }
    outcome.writes = {
      secretsManager: run.recorder.writes.secretsmanager,
      wires: run.recorder.writes.sql + run.recorder.writes.http,
      server: mark === undefined ? undefined : await fixture.serverWrites!.since(mark),
    };
    judge(outcome, thrown, fields);
    if (outcome.writes.secretsManager > 0) await rememberVersions(ctx.admin, run.secretId);
  } catch (error) {
    outcome.problems.push(`harness error: ${(error as Error).name}: ${(error as Error).message}`);
  }
  return outcome;
}

async function plant(
  ctx: ProofContext,
  secretId: string,
  token: string,
  value: Record<string, unknown> | string,
): Promise<void> {
  const secretString = typeof value === 'string' ? value : JSON.stringify(value);
  rememberSecretJson(secretString);
  await ctx.admin.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: secretString,
      VersionStages: ['AWSPENDING'],
    }),
  );
}

function judge(outcome: HostileOutcome, thrown: unknown, fields: string[]): void {
  if (thrown === undefined) {
    outcome.error = '(none: the step succeeded)';
    outcome.problems.push('no error: the hostile input was accepted');
  } else {
    const error = thrown as Error;
    outcome.error = error.name;
    outcome.named = namedFields(error);
    if (!(thrown instanceof RotationError)) outcome.problems.push(`untyped error ${error.name}`);
    if (!fields.some((f) => outcome.named.includes(f)))
      outcome.problems.push(
        `the error names ${outcome.named.length ? outcome.named.join(', ') : 'no field'}, not ${fields.join(' or ')}`,
      );
  }
  const { secretsManager, wires, server } = outcome.writes;
  const total = secretsManager + wires + (server ?? 0);
  if (total > 0)
    outcome.problems.push(
      `WRITES: ${secretsManager} to Secrets Manager, ${wires} through the wires, ` +
        `${server ?? 'n/a'} in the server's log`,
    );
}

/**
 * Fields an error names: its own `field` / `fields` / `variable` when it has one; otherwise the
 * quoted names in its message (and the labels it names); for the preamble's errors, their class.
 */
export function namedFields(error: Error): string[] {
  const e = error as Error & { field?: unknown; fields?: unknown; variable?: unknown };
  const named = new Set<string>();
  if (typeof e.field === 'string') named.add(e.field);
  if (Array.isArray(e.fields)) for (const f of e.fields) named.add(String(f));
  if (typeof e.variable === 'string') named.add(e.variable);
  if (named.size === 0) {
    for (const match of String(e.message).matchAll(/"([A-Za-z_][\w.]*)"/g)) named.add(match[1]!);
    for (const word of ['AWSPENDING', 'SecretString']) if (String(e.message).includes(word)) named.add(word);
  }
  const byClass = FIELD_OF_CLASS[e.name];
  if (byClass) named.add(byClass);
  return [...named];
}

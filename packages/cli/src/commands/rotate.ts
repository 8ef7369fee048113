/**
 * `rotators rotate <secret-id> --local`: one rotation driven from this machine with the rotator's
 * handler (createRotationHandler, as in the zip), the way Secrets Manager drives it: RotateSecret
 * with a fresh token (so the empty AWSPENDING version exists), the four steps in order, then the
 * AWSPENDING clean-up the service performs after success.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRotationHandler } from '@rotators/core';
import { type Clients, describeSecret, removePendingLabel, startRotation } from '../aws.ts';
import type { CliIo } from '../io.ts';
import { table, versionRows } from '../render.ts';
import { openSession } from '../setup.ts';
import { readSecretState } from '../state.ts';
import { currentVersionOf, pendingVersionOf } from '../verdict.ts';

export interface RotateOptions {
  secretId: string;
  json: boolean;
  rotator?: string;
  verbose: boolean;
}

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

interface StepResult {
  step: (typeof STEPS)[number];
  seconds: number;
  ok: boolean;
  error?: { name: string; message: string };
}

export async function rotate(clients: Clients, io: CliIo, options: RotateOptions): Promise<number> {
  const state = await readSecretState(clients, options.secretId, io.now());
  const { info } = state;
  const refuse = (why: string) => {
    if (options.json)
      io.out(
        `${JSON.stringify(
          { command: 'rotate', secret: { arn: info.arn, name: info.name }, rotated: false, refused: why },
          null,
          2,
        )}\n`,
      );
    else io.out(`not rotated: ${why}\n`);
    return 1;
  };
  if (!info.rotationLambdaArn) {
    return refuse(
      'rotation is not configured for this secret (RotateSecret needs its rotation function; ' +
        "configure it with the rotator's Terraform module)",
    );
  }
  if (info.rotationEnabled === false) {
    return refuse(
      `rotation is turned off; RotateSecret would turn it back on. ` +
        `Turn it on first: rotators repair ${info.name} --apply`,
    );
  }
  const unfinished = pendingVersionOf(info.stages);
  if (unfinished) {
    return refuse(
      `rotation ${unfinished} is unfinished (AWSPENDING is on it): ` +
        `Secrets Manager refuses a new one until it is finished or cleaned up. See rotators doctor ${info.name}`,
    );
  }

  const session = await openSession(clients, state, io, options);
  const handler = createRotationHandler(session.probe.rotator, {
    client: clients.secrets,
    env: session.env,
    logger: session.logger,
  });
  if (!clients.endpoint && !options.json) {
    io.err(
      `note: Secrets Manager also invokes ${state.fn?.name ?? 'the rotation function'} for this rotation; ` +
        `every step is idempotent, so whichever runs a step first does the work\n`,
    );
  }
  const before = info;
  const token = randomUUID();
  await startRotation(clients, info, token);

  const results: StepResult[] = [];
  for (const step of STEPS) {
    const started = performance.now();
    try {
      await handler({ Step: step, SecretId: info.arn, ClientRequestToken: token });
      results.push({ step, seconds: (performance.now() - started) / 1000, ok: true });
    } catch (error) {
      const described = session.probe.describe(error);
      results.push({
        step,
        seconds: (performance.now() - started) / 1000,
        ok: false,
        error: { name: described.name, message: described.message },
      });
      break;
    }
  }
  const ok = results.length === STEPS.length && results.every((r) => r.ok);
  if (ok) {
    const now = await describeSecret(clients, info.arn);
    if (now.stages[token]?.includes('AWSPENDING')) await removePendingLabel(clients, info.arn, token);
  }
  const after = await readSecretState(clients, info.arn, io.now());

  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          command: 'rotate',
          secret: { arn: info.arn, name: info.name },
          rotator: { name: session.choice.kind.name, chosenBy: session.choice.chosenBy },
          rotated: ok,
          token,
          steps: results,
          before: { stages: before.stages },
          after: { stages: after.info.stages, verdict: after.assessment.verdict },
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const now = io.now();
    const lines = [
      `secret       ${info.name}`,
      `rotator      ${session.choice.kind.name} (chosen by ${session.choice.chosenBy}), run on this machine`,
      '',
      'before',
      table(['VERSION', 'LABELS', 'CREATED'], versionRows(before, state.dates, now)),
      '',
      `rotation ${token}`,
      table(
        ['STEP', 'TIME', 'RESULT'],
        results.map((r) => [
          r.step,
          `${r.seconds.toFixed(2)} s`,
          r.ok ? 'ok' : `FAILED ${r.error!.name}: ${r.error!.message}`,
        ]),
      ),
      '',
      'after',
      table(['VERSION', 'LABELS', 'CREATED'], versionRows(after.info, after.dates, now)),
      '',
      ok
        ? `rotated: AWSCURRENT is version ${currentVersionOf(after.info.stages)}`
        : `NOT rotated: ${results.at(-1)!.step} failed, and rotation ${token} is unfinished ` +
          `(AWSPENDING stays on it). Next: rotators doctor ${info.name}`,
    ];
    io.out(`${lines.join('\n')}\n`);
  }
  return ok ? 0 : 1;
}

/**
 * `rotators <command> …`: the operator CLI. Arguments are parsed with node:util parseArgs (strict);
 * every command takes --endpoint, --region, --json and --help. Exit status: 0 healthy or done, 1 a
 * problem found (or a call failed), 2 bad usage. No secret value is ever printed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RotationError } from '@rotators/core';
import { type Clients, createClients, destroyClients } from './aws.ts';
import { doctor } from './commands/doctor.ts';
import { repair } from './commands/repair.ts';
import { rotate } from './commands/rotate.ts';
import { status } from './commands/status.ts';
import { CliError, UsageError } from './errors.ts';
import { type CliIo, processIo } from './io.ts';
import { withoutContext } from './probe.ts';
import { ROTATOR_NAMES } from './rotators.ts';

export type { CliIo } from './io.ts';

const COMMON_OPTIONS = `  --endpoint URL      AWS endpoint for every call (a local emulator such as moto); default: AWS
  --region REGION     AWS region; default: AWS_REGION, AWS_DEFAULT_REGION or the AWS config file
  --json              one JSON document on stdout instead of tables
  -h, --help          this help`;

const ROTATOR_OPTIONS = `  --rotator NAME      the rotator to use (${ROTATOR_NAMES.join(', ')});
                      default: what the rotation function's configuration says, else the secret's fields
  --verbose           also write the rotator's and engine's JSON log lines to stderr (they never hold a value)`;

const SETTINGS = `The rotator runs with the rotation function's environment (read with lambda:GetFunctionConfiguration;
file paths left out) overlaid with this shell's: set e.g. TLS_CA_BUNDLE_PATH here for a private CA.`;

const EXIT = 'Exit status: 0 healthy or done, 1 a problem found, 2 bad usage. No secret value is ever printed.';

export const HELP: Record<string, string> = {
  main: `rotators — inspect and repair the rotation of AWS Secrets Manager secrets, with the same engine
and rotator code the rotation functions run.

Usage: rotators <command> [<secret-id>] [options]

Commands:
  status <secret-id>        versions, labels, schedule and a verdict: healthy, rotating, stuck, overdue, disabled
  status --all              the same for every secret in the region with rotation on
  doctor <secret-id>        which versions log in to the target, where a rotation stopped, and the exact fix
  repair <secret-id>        the smallest safe fix, as a dry run; --apply to do it
  rotate <secret-id> --local  one rotation, driven from this machine with the rotator's handler

Run rotators <command> --help for a command's options. <secret-id> is a name or an ARN.
${EXIT}
`,
  status: `rotators status — is this secret's rotation healthy?

Usage:
  rotators status <secret-id> [options]
  rotators status --all [options]

Shows the secret's versions and staging labels, its rotation settings and function, the last rotation,
when the next is due, post-promotion clean-up failures in the function's log group, and a verdict:
  healthy   rotation is on and within its schedule
  rotating  AWSPENDING is on a version that is not AWSCURRENT, younger than 4 x the function's timeout
            (a rotation is four invocations): it may still be running
  stuck     the same, older: a rotation stopped part-way (next: rotators doctor, then rotators repair)
  overdue   rotation is on, but the last rotation is older than the schedule allows (+ 1 day)
  disabled  rotation is turned off, or was never configured
Reads metadata only (DescribeSecret, ListSecretVersionIds, the function's configuration and logs), never a value.

Options:
  --all               every secret in the region with rotation on, one line each, worst first;
                      a progress line on stderr while it reads
  --concurrency N     with --all: at most N reads at a time (1-64, default 8)
${COMMON_OPTIONS}

${EXIT} With --all: 0 only if every secret is healthy.
`,
  doctor: `rotators doctor — which versions work, where a rotation stopped, and the exact fix

Usage: rotators doctor <secret-id> [options]

Asks the rotator itself (its own connection code, as in the rotation function) whether AWSCURRENT,
AWSPENDING and AWSPREVIOUS work on the target (log in to the database, authenticate to the key API),
over TLS or not; with a master secret, whether it is readable and logs in; for alternating users,
whether both users' privileges are equal (the rotator's testSecret check). AWSPENDING and AWSPREVIOUS
are first held to AWSCURRENT by the engine's guard: a version naming another host, user or provider
is never sent anywhere. Then the diagnosis, and the fix that rotators repair would apply.
Nothing is written.

Options:
${ROTATOR_OPTIONS}
${COMMON_OPTIONS}

${SETTINGS}
${EXIT}
`,
  repair: `rotators repair — the smallest safe fix for a stuck rotation (a dry run unless --apply)

Usage: rotators repair <secret-id> [--apply] [options]

Without --apply, prints doctor's findings and the plan, and changes nothing. With --apply:
  - AWSPENDING passes the rotator's testSecret check (its password is already set on the target):
    finish the rotation forward with the engine's finishSecret, then remove AWSPENDING, as
    Secrets Manager does after a successful rotation;
  - otherwise, while AWSCURRENT works: remove the stale AWSPENDING label (api-key: and revoke the key
    the failed rotation created, with the rotator's own clean-up);
  - rotation turned off: turn it back on (RotateSecret with RotateImmediately=false).
The target is checked before and after; a label only ever moves to a version that works, so the
secret is never left without a working AWSCURRENT. A rotation that may still be running is left alone.

Options:
  --apply             make the changes (default: dry run)
${ROTATOR_OPTIONS}
${COMMON_OPTIONS}

${SETTINGS}
Exit status: 0 healthy or repaired, 1 a problem found (a dry run with something to do) or left, 2 bad usage.
No secret value is ever printed.
`,
  rotate: `rotators rotate — one rotation driven from this machine

Usage: rotators rotate <secret-id> --local [options]

RotateSecret with a fresh token (Secrets Manager creates the empty AWSPENDING version), then the four
steps with the rotator's handler, as the rotation function would run them, a line per step with its
duration; then the AWSPENDING clean-up the service does after success, and the labels before and after.
Refused while a rotation is unfinished or rotation is off. Against AWS, Secrets Manager also invokes the
configured function for the same rotation: the steps are idempotent, whichever runs a step first does it.

Options:
  --local             required: the steps run here, not in Lambda
${ROTATOR_OPTIONS}
${COMMON_OPTIONS}

${SETTINGS}
${EXIT}
`,
};

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
const WITH_ROTATOR: Options = { ...COMMON, rotator: { type: 'string' }, verbose: { type: 'boolean' } };
const COMMANDS: Record<string, Options> = {
  status: { ...COMMON, all: { type: 'boolean' }, concurrency: { type: 'string' } },
  doctor: WITH_ROTATOR,
  repair: { ...WITH_ROTATOR, apply: { type: 'boolean' } },
  rotate: { ...WITH_ROTATOR, local: { type: 'boolean' } },
};

interface Parsed {
  command: string;
  values: Record<string, string | boolean | undefined>;
  secretId?: string;
}

export function parse(argv: string[]): Parsed | { help: string } {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('a command is required: status, doctor, repair or rotate');
  if (command === '-h' || command === '--help') return { help: HELP.main! };
  if (command === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { help: HELP.main! };
    if (!(topic in COMMANDS))
      throw new UsageError(`no help on "${topic}": the commands are status, doctor, repair and rotate`);
    return { help: HELP[topic]! };
  }
  const options = COMMANDS[command];
  if (!options)
    throw new UsageError(`unknown command "${command}": the commands are status, doctor, repair and rotate`);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--foo'") and never hold a value we did not pass.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
  const values = parsed.values as Parsed['values'];
  if (values.help) return { help: HELP[command]! };

  const positionals = parsed.positionals;
  if (positionals.length > 1)
    throw new UsageError(
      `one secret at a time: got ${positionals.length} arguments (${positionals.join(' ')})`,
      command,
    );
  const secretId = positionals[0];
  if (command === 'status' && values.all) {
    if (secretId !== undefined) throw new UsageError('status takes either a secret id or --all, not both', command);
  } else {
    if (secretId === undefined)
      throw new UsageError(
        `${command} needs a secret id (a name or an ARN)${command === 'status' ? ', or --all' : ''}`,
        command,
      );
    if (!secretId.trim()) throw new UsageError('the secret id is empty', command);
    if (values.concurrency !== undefined) throw new UsageError('--concurrency goes with --all', command);
  }
  if (command === 'rotate' && !values.local) {
    throw new UsageError(
      'rotate runs the four steps on this machine only: ' +
        'pass --local (to have Secrets Manager rotate, use aws secretsmanager rotate-secret)',
      command,
    );
  }
  if (typeof values.endpoint === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(values.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new UsageError(
        `--endpoint must be an http(s) URL such as http://127.0.0.1:4566 (got "${values.endpoint}")`,
        command,
      );
  }
  if (typeof values.region === 'string' && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1 (got "${values.region}")`, command);
  }
  if (typeof values.rotator === 'string' && !ROTATOR_NAMES.includes(values.rotator)) {
    throw new UsageError(`--rotator must be one of ${ROTATOR_NAMES.join(', ')} (got "${values.rotator}")`, command);
  }
  if (typeof values.concurrency === 'string') {
    const n = Number(values.concurrency);
    if (!/^\d+$/.test(values.concurrency) || n < 1 || n > 64)
      throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got "${values.concurrency}")`, command);
  }
  return { command, values, secretId };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageFailure(io, error as UsageError);
  }
  if ('help' in parsed) {
    io.out(parsed.help);
    return 0;
  }
  const { command, values, secretId } = parsed;
  let clients: Clients | undefined;
  try {
    clients = await createClients(
      { endpoint: values.endpoint as string | undefined, region: values.region as string | undefined },
      io.env,
    );
    const json = values.json === true;
    const verbose = values.verbose === true;
    const rotator = values.rotator as string | undefined;
    switch (command) {
      case 'status':
        return await status(clients, io, {
          json,
          secretId,
          all: values.all === true,
          concurrency: values.concurrency ? Number(values.concurrency) : 8,
        });
      case 'doctor':
        return await doctor(clients, io, { secretId: secretId!, json, rotator, verbose });
      case 'repair':
        return await repair(clients, io, { secretId: secretId!, json, rotator, verbose, apply: values.apply === true });
      default:
        return await rotate(clients, io, { secretId: secretId!, json, rotator, verbose });
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error, command);
    io.err(`rotators ${command}: ${failureText(error)}\n`);
    return 1;
  } finally {
    if (clients) destroyClients(clients);
  }
}

function usageFailure(io: CliIo, error: UsageError, command = error.command): number {
  if (!(error instanceof UsageError)) throw error;
  io.err(
    `rotators${command ? ` ${command}` : ''}: ${error.message}\n` +
      `${command ? `Run rotators ${command} --help for its options.` : 'Run rotators --help for the commands.'}\n`,
  );
  return 2;
}

/** Only our own errors' messages (built without values); anything else by its class name. */
function failureText(error: unknown): string {
  if (error instanceof CliError) return error.message;
  // Core's typed errors carry no value by construction.
  if (error instanceof RotationError) return `${error.name}: ${withoutContext(error.message)}`;
  const name = (error as { name?: unknown })?.name;
  return `unexpected ${typeof name === 'string' ? name : 'error'} (run with --verbose for the rotator's log lines)`;
}

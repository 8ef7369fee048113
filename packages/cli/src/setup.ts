/** What doctor, repair and rotate share: which rotator, with which settings, and a probe on it. */
import { ConfigurationError, SecretsGateway } from '@rotators/core';
import type { Clients, FunctionInfo } from './aws.ts';
import type { RotatorChoice } from './diagnose.ts';
import { UsageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { RecordingLogger } from './logger.ts';
import { Probe } from './probe.ts';
import { type Env, ROTATOR_KINDS, ROTATOR_NAMES, rotatorFromFields, rotatorKind } from './rotators.ts';
import type { SecretState } from './state.ts';

/**
 * The rotator: --rotator, else what the function's configuration says (Terraform sets its
 * description and POWERTOOLS_SERVICE_NAME to the rotator), else a rotator's name in the function's
 * name, else the shape of AWSCURRENT's JSON (read through core's gateway; only field names count).
 */
export async function chooseRotator(
  clients: Clients,
  state: SecretState,
  flag: string | undefined,
): Promise<RotatorChoice> {
  if (flag) return { kind: rotatorKind(flag)!, chosenBy: '--rotator' };
  const fn = state.fn;
  const configured = fn?.rotator ? rotatorKind(fn.rotator) : undefined;
  if (configured) return { kind: configured, chosenBy: `function ${fn!.name}` };
  const named = fn ? ROTATOR_KINDS.filter((kind) => fn.name.includes(kind.name)) : [];
  if (named.length === 1) return { kind: named[0]!, chosenBy: `function name ${fn!.name}` };

  const gateway = new SecretsGateway(clients.secrets, { secretId: state.info.arn });
  let guess: string | undefined;
  try {
    guess = rotatorFromFields((await gateway.getVersion(state.info.arn, 'AWSCURRENT')).secretString);
  } catch {
    guess = undefined;
  }
  const kind = guess ? rotatorKind(guess) : undefined;
  if (kind) return { kind, chosenBy: "the secret's fields" };
  throw new UsageError(
    `cannot tell which rotator rotates ${state.info.name}: ` +
      `${fn ? `its function ${fn.name} does not say` : 'no rotation function is configured'}, ` +
      `and AWSCURRENT's fields fit none. Pass --rotator (one of ${ROTATOR_NAMES.join(', ')})`,
  );
}

/**
 * The rotator's settings: the function's environment (what the Lambda runs with), then this shell's,
 * which wins. The function's file paths (TLS_CA_BUNDLE_PATH, API_CA_BUNDLE_PATH) and endpoints point
 * inside Lambda and are left out: set them in this shell if the target needs a private CA here.
 */
export function rotatorEnvironment(fn: FunctionInfo | undefined, shell: Env): { env: Env; fromFunction: string[] } {
  const fromFunction = Object.keys(fn?.environment ?? {}).filter(
    (name) => !/_PATH$|^SECRETS_MANAGER_ENDPOINT$|^AWS_|^POWERTOOLS_|^NODE_|^LAMBDA_/.test(name),
  );
  const env: Env = {};
  for (const name of fromFunction) env[name] = fn!.environment![name];
  return { env: { ...env, ...shell }, fromFunction };
}

export interface Session {
  choice: RotatorChoice;
  probe: Probe;
  logger: RecordingLogger;
  env: Env;
  fromFunction: string[];
}

export async function openSession(
  clients: Clients,
  state: SecretState,
  io: CliIo,
  options: { rotator?: string; verbose: boolean },
): Promise<Session> {
  const choice = await chooseRotator(clients, state, options.rotator);
  const { env, fromFunction } = rotatorEnvironment(state.fn, io.env);
  const logger = new RecordingLogger(choice.kind.name, options.verbose ? (line) => io.err(`${line}\n`) : undefined);
  let rotator: Awaited<ReturnType<typeof choice.kind.create>>;
  try {
    rotator = await choice.kind.create(env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new UsageError(
        `the ${choice.kind.name} rotator cannot start with these settings: ${error.message}. ` +
          `Set ${error.variable} in this shell as the function has it` +
          `${
            state.fn?.unreadable ? ` (the function's own environment could not be read: ${state.fn.unreadable})` : ''
          }`,
      );
    }
    throw error;
  }
  return {
    choice,
    probe: new Probe(choice.kind, rotator, clients, state.info, env, logger),
    logger,
    env,
    fromFunction,
  };
}

/**
 * createRotationHandler: the Lambda entry point every rotator exports.
 *
 * Cold start (when this function is called): read and validate the configuration, build the
 * Secrets Manager client and the logger. Per invocation: validate the event, run the preamble,
 * run one step. Errors leave as typed RotationErrors whose message and cause carry no secret.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readEngineConfig } from './config.ts';
import { type RotationErrorContext, toRotationError } from './errors.ts';
import { parseRotationEvent, type RotationStep } from './event.ts';
import { createRotationLogger, type RotationLogger } from './logger.ts';
import { checkPreamble } from './preamble.ts';
import type { Rotator } from './rotator.ts';
import { SecretsGateway } from './secretsGateway.ts';
import type { SecretRecord } from './secretValue.ts';
import { createSecret } from './steps/createSecret.ts';
import { finishSecret } from './steps/finishSecret.ts';
import { setSecret } from './steps/setSecret.ts';
import { StepRun } from './steps/stepRun.ts';
import { invocationBudget } from './timeBudget.ts';
import { testSecret } from './steps/testSecret.ts';

export interface HandlerOptions {
  /** Secrets Manager client; tests wrap it to count calls or inject faults. */
  client?: SecretsManagerClient;
  /** Environment to read configuration from. Default: process.env. */
  env?: Record<string, string | undefined>;
  logger?: RotationLogger;
}

/** The parts of Lambda's context the engine reads (request id, function name, time left). */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  /** Lambda's clock for this invocation; the engine stops its own calls before it runs out. */
  getRemainingTimeInMillis?: () => number;
  [key: string]: unknown;
}

export type RotationHandler = (event: unknown, context?: LambdaContextLike) => Promise<void>;

const STEPS: Record<RotationStep, <S extends SecretRecord>(run: StepRun<S>) => Promise<void>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

export function createRotationHandler<S extends SecretRecord>(
  rotator: Rotator<S>,
  options: HandlerOptions = {},
): RotationHandler {
  const env = options.env ?? process.env;
  const config = readEngineConfig(env, rotator.passwordDefaults);
  const logger = options.logger ?? createRotationLogger(rotator.name);
  const client =
    options.client ??
    new SecretsManagerClient({
      endpoint: config.secretsManagerEndpoint,
      // The SDK's standard retry strategy (3 attempts, backoff with jitter on throttling, 5xx and
      // timeouts). Without these limits an unreachable endpoint (a VPC with no route to Secrets
      // Manager) ends as a bare "Task timed out" instead of a typed error naming the call; 3 × 7 s
      // fits the modules' minimum timeouts.
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    });

  return async function handler(rawEvent: unknown, context?: LambdaContextLike): Promise<void> {
    const errorContext: RotationErrorContext = {};
    const budget = invocationBudget(context);
    if (context?.awsRequestId) logger.addContext(context as Parameters<RotationLogger['addContext']>[0]);
    try {
      const event = parseRotationEvent(rawEvent);
      Object.assign(errorContext, { secretId: event.SecretId, step: event.Step });
      logger.appendKeys({ secretId: event.SecretId, step: event.Step, clientRequestToken: event.ClientRequestToken });

      const secrets = new SecretsGateway(client, errorContext, budget.signal);
      const metadata = await secrets.describe(event.SecretId);
      errorContext.secretId = metadata.arn;
      logger.appendKeys({ secretId: metadata.arn });

      if (checkPreamble(metadata, event.ClientRequestToken, errorContext) === 'already-current') {
        logger.info(`Secret version ${event.ClientRequestToken} is already AWSCURRENT; nothing to do`);
        return;
      }
      const run = new StepRun({
        rotator,
        secrets,
        metadata,
        step: event.Step,
        token: event.ClientRequestToken,
        rotationToken: event.RotationToken,
        logger,
        errorContext,
        passwordPolicy: config.passwordPolicy,
      });
      await STEPS[event.Step](run);
    } catch (error) {
      const safe = toRotationError(error, errorContext);
      logger.error(`${errorContext.step ?? 'rotation'} failed`, { error: { name: safe.name, message: safe.message } });
      throw safe;
    } finally {
      budget.dispose();
      logger.resetKeys();
    }
  };
}

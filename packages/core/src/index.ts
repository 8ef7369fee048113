export { createRotationHandler, type HandlerOptions, type RotationHandler } from './handler.ts';
export type { CreateContext, Rotator, SetPendingVersions, StepContext, UnlabelledVersion } from './rotator.ts';
export { parseRotationEvent, ROTATION_STEPS, type RotationEvent, type RotationStep } from './event.ts';
export * from './errors.ts';
export { readEngineConfig, type EngineConfig } from './config.ts';
export { readBoolean, readCaBundle, readChoice, readInteger, readList, readString, type Env } from './env.ts';
export {
  DEFAULT_EXCLUDE_CHARACTERS,
  readPasswordPolicy,
  toGetRandomPasswordRequest,
  type PasswordPolicy,
  type PasswordPolicyDefaults,
} from './passwordPolicy.ts';
export { createRotationLogger, redactSensitive, REDACTED, type RotationLogger } from './logger.ts';
export { parseSecretValue, validateSecretValue, type SecretRecord } from './secretValue.ts';
export type { SecretMetadata, StagingLabel } from './secretsGateway.ts';
// For the operator CLI (packages/cli), which reads secrets and drives rotators through the engine's own code.
export { SecretsGateway, type SecretVersion } from './secretsGateway.ts';
export { MAX_UNLABELLED_VERSIONS, StepRun } from './steps/stepRun.ts';
export { assertPendingFollowsCurrent } from './steps/pendingGuard.ts';
export { finishSecret } from './steps/finishSecret.ts';

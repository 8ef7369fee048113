export { createRotationHandler, type HandlerOptions, type RotationHandler } from './handler.ts';
export type { CreateContext, Rotator, StepContext } from './rotator.ts';
export { parseRotationEvent, ROTATION_STEPS, type RotationEvent, type RotationStep } from './event.ts';
export * from './errors.ts';
export { readEngineConfig, type EngineConfig } from './config.ts';
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
export {
  connectWithTlsPolicy,
  readTlsConfig,
  sslField,
  tlsModeFor,
  TlsRequiredError,
  type ConnectAttemptOptions,
  type TlsConfig,
  type TlsMode,
} from './targets/tlsPolicy.ts';
export { classifyConnectionError, serverOffersNoTls } from './targets/connectionErrors.ts';

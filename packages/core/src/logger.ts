/**
 * Structured JSON logs (Powertools Logger). Every line carries `rotator`, and during an invocation
 * `secretId`, `step` and `clientRequestToken`.
 *
 * Values never reach a log line because nothing logs them; the replacer below is a second line of
 * defence that blanks any attribute whose name says it holds a secret, should a future change
 * pass one by mistake.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type RotationLogger = Logger;

const SENSITIVE_KEY = /pass(word)?|secret_?string|rotation_?token|api_?key|^key$|private|verifier|credential/i;

export const REDACTED = '[redacted]';

export function redactSensitive(key: string, value: unknown): unknown {
  if (key !== '' && SENSITIVE_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'object') {
    return REDACTED;
  }
  return value;
}

export function createRotationLogger(rotator: string): RotationLogger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `rotators-${rotator}`,
    persistentKeys: { rotator },
    jsonReplacerFn: redactSensitive,
  });
}

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

const SENSITIVE_KEY =
  /pass(word)?|pwd|secret|token|api[-_]?key|^key$|private|verifier|credential|authorization|cookie/i;
// Identifiers the logs must keep: they name things, they do not unlock them.
const KEPT_KEYS = new Set(['secretId', 'clientRequestToken', 'masterSecretId']);

export const REDACTED = '[redacted]';

export function redactSensitive(key: string, value: unknown): unknown {
  if (key === '' || KEPT_KEYS.has(key) || value === undefined || value === null) return value;
  return SENSITIVE_KEY.test(key) ? REDACTED : value;
}

export function createRotationLogger(rotator: string): RotationLogger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `rotators-${rotator}`,
    persistentKeys: { rotator },
    jsonReplacerFn: redactSensitive,
  });
}

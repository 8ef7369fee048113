/** Parse a SecretString with a rotator's schema, with errors that name fields but never echo values. */
import { type SecretSchema, safeParseWith } from './schema.ts';
import { type RotationErrorContext, SecretValueError } from './errors.ts';

export type SecretRecord = Record<string, unknown>;

export function parseSecretValue<S extends SecretRecord>(
  schema: SecretSchema<S>,
  secretString: string | undefined,
  label: string,
  context: RotationErrorContext,
): S {
  if (secretString === undefined) {
    throw new SecretValueError(
      ['SecretString'],
      `${label} has no SecretString (binary secrets are not supported)`,
      context,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    // The parser's own message quotes the text it choked on, so it is neither shown nor kept as cause.
    throw new SecretValueError(['SecretString'], `${label} is not valid JSON`, context);
  }
  return validateSecretValue(schema, json, label, context);
}

export function validateSecretValue<S extends SecretRecord>(
  schema: SecretSchema<S>,
  json: unknown,
  label: string,
  context: RotationErrorContext,
): S {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SecretValueError(['SecretString'], `${label} must be a JSON object`, context);
  }
  // JSON.parse makes "__proto__" an own key, which schema parsing drops: the engine's field checks
  // would never see it, yet it would be promoted with the rest of the SecretString.
  if (Object.hasOwn(json, '__proto__')) {
    throw new SecretValueError(['__proto__'], `${label} must not have a "__proto__" field`, context);
  }
  const result = safeParseWith(schema, json);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') : '(root)'));
  const details = result.error.issues.map((issue, i) => `"${fields[i]}": ${issue.message}`).join('; ');
  throw new SecretValueError(fields, `${label} is not a valid secret for this rotator: ${details}`, context);
}

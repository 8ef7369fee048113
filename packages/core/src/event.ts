/** The invocation event Secrets Manager sends, validated before anything else happens. */
import * as z from 'zod/mini';
import './schema.ts';
import { InvalidEventError } from './errors.ts';
import { ROTATION_STEPS, type RotationStep } from './rotationStep.ts';

export { ROTATION_STEPS, type RotationStep };

export interface RotationEvent {
  Step: RotationStep;
  SecretId: string;
  ClientRequestToken: string;
  /** Cross-account rotation proof. Sensitive: passed to PutSecretValue, never logged. */
  RotationToken?: string;
}

// AWS's current templates accept one or more printable ASCII characters (space to tilde).
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

function field(name: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `No value provided for "${name}"` : `"${name}" must be a string`),
    })
    .check(z.regex(PRINTABLE_ASCII, { error: `"${name}" must be non-empty printable ASCII` }));
}

const eventSchema = z.object({
  Step: z.pipe(
    field('Step'),
    z.enum(ROTATION_STEPS, { error: '"Step" must be one of createSecret, setSecret, testSecret, finishSecret' }),
  ),
  SecretId: field('SecretId'),
  ClientRequestToken: field('ClientRequestToken'),
  // Only forwarded to PutSecretValue, which validates it; like AWS's templates, do not judge it here
  // (an empty or null token means none).
  RotationToken: z.pipe(
    z.nullish(z.string({ error: '"RotationToken" must be a string' })),
    z.transform((token) => token || undefined),
  ),
});

/** Returns a typed event, or throws InvalidEventError naming the first bad field. No value is echoed. */
export function parseRotationEvent(input: unknown): RotationEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidEventError('event', 'Rotation event must be a JSON object');
  }
  const result = eventSchema.safeParse(input);
  if (result.success) {
    const { RotationToken, ...event } = result.data;
    return RotationToken ? { ...event, RotationToken } : event;
  }

  const issue = result.error.issues[0]!;
  const fieldName = String(issue.path[0] ?? 'event');
  const secretId = (input as { SecretId?: unknown }).SecretId;
  const knownSecret = typeof secretId === 'string' && PRINTABLE_ASCII.test(secretId) ? secretId : undefined;
  throw new InvalidEventError(fieldName, `Invalid rotation event: ${issue.message}`, { secretId: knownSecret });
}

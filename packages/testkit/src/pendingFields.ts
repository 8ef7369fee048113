/**
 * Cases for the engine's pending-field guard (core steps/pendingGuard.ts): for every field of a
 * rotator's schema, and for one field the schema does not know, an AWSPENDING value that differs
 * from AWSCURRENT in that field alone and still fits the schema — so the refusal a test expects
 * comes from the guard, not from validation. Fields come from the schema itself, so a field added
 * later gets its case without anyone remembering to write it.
 */
import { isDeepStrictEqual } from 'node:util';
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rememberSecretJson } from './logCapture.ts';

/** The parts of a zod object schema this needs (zod 4: `.shape`, `.safeParse`). */
export interface ObjectSchemaLike {
  shape: Record<string, unknown>;
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

export interface PendingFieldCase {
  field: string;
  /** How AWSPENDING differs in that field. */
  change: 'changed' | 'added' | 'removed';
  pending: Record<string, unknown>;
}

/** A field no rotator's schema names: unknown fields are kept and read by clients, so they count too. */
export const UNKNOWN_FIELD = 'plantedUnknownField';

const GENERIC_CANDIDATES: unknown[] = [
  'other-value',
  'x',
  'https://other.example/v1',
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf',
  'other.example.com',
  7,
  1,
  5433,
  true,
  false,
  'true',
  'false',
  { nested: 'other' },
  ['other'],
];

/** Values of zod enums and literals found in a field's schema (through optional, nullable, union, pipe). */
function enumValues(schema: unknown, depth = 0): unknown[] {
  const def = (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  if (!def || depth > 6) return [];
  if (def.type === 'enum') return Object.values(def.entries as Record<string, unknown>);
  if (def.type === 'literal') return def.values as unknown[];
  const inner = [def.innerType, def.in, def.out, ...((def.options as unknown[]) ?? [])].filter(Boolean);
  return inner.flatMap((s) => enumValues(s, depth + 1));
}

function variantsOf(value: unknown): unknown[] {
  if (typeof value === 'string')
    return [
      `${value}x`,
      `x${value}`,
      `${value}/x`,
      value.toUpperCase() === value ? value.toLowerCase() : value.toUpperCase(),
      value === 'true' ? 'false' : 'true',
    ];
  if (typeof value === 'number') return [value + 1, value - 1, String(value + 1)];
  if (typeof value === 'boolean') return [!value, String(!value)];
  if (value && typeof value === 'object') return [{ ...(value as object), planted: 'x' }, {}];
  return [];
}

export function pendingFieldCases(
  schema: ObjectSchemaLike,
  current: Record<string, unknown>,
  rotatedFields: readonly string[],
): PendingFieldCase[] {
  const parsedCurrent = schema.safeParse(current);
  if (!parsedCurrent.success) throw new Error('pendingFieldCases: the current value does not fit the schema');
  const fields = [...new Set([...Object.keys(schema.shape), ...Object.keys(current), UNKNOWN_FIELD])].filter(
    (f) => !rotatedFields.includes(f),
  );
  const cases: PendingFieldCase[] = [];
  for (const field of fields) {
    const present = field in current;
    const candidates = [...variantsOf(current[field]), ...enumValues(schema.shape[field]), ...GENERIC_CANDIDATES];
    const value = candidates.find((candidate) => {
      if (isDeepStrictEqual(candidate, current[field])) return false;
      const parsed = schema.safeParse({ ...current, [field]: candidate });
      return (
        parsed.success &&
        !isDeepStrictEqual(
          (parsed.data as Record<string, unknown>)[field],
          (parsedCurrent.data as Record<string, unknown>)[field],
        )
      );
    });
    if (value === undefined) {
      throw new Error(
        `pendingFieldCases: no schema-valid value other than the current one was found for field "${field}"; ` +
          'add a candidate in testkit/src/pendingFields.ts',
      );
    }
    cases.push({ field, change: present ? 'changed' : 'added', pending: { ...current, [field]: value } });
    if (present) {
      const { [field]: _removed, ...without } = current;
      if (schema.safeParse(without).success) cases.push({ field, change: 'removed', pending: without });
    }
  }
  return cases;
}

/** Put `value` as the AWSPENDING version `token`, as someone with PutSecretValue on the secret could. */
export async function plantPending(
  client: SecretsManagerClient,
  secretId: string,
  token: string,
  value: Record<string, unknown>,
): Promise<void> {
  const secretString = JSON.stringify(value);
  rememberSecretJson(secretString);
  await client.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: secretString,
      VersionStages: ['AWSPENDING'],
    }),
  );
}

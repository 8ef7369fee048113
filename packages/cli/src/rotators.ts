/**
 * The rotators the CLI knows, each built from its own package's factory: the same code the Lambda
 * zips are built from, never a copy. Loaded lazily, so `status` (which needs no rotator) does not
 * load database drivers.
 *
 * Each package's src/rotator.ts is imported rather than its index: an index builds the Lambda
 * handler when it is loaded (cold start), from process.env, and the api-key one refuses to load
 * without API_ALLOWED_HOSTS there. The CLI builds rotators with the environment it chose
 * (settings.ts) instead.
 */
import type { Rotator, SecretRecord } from '@rotators/core';

export type Env = Record<string, string | undefined>;

export interface RotatorKind {
  name: string;
  /** What "logs in" means for this rotator; null: there is no target (the value is only stored). */
  target: string | null;
  /** Alternating users: AWSPENDING and AWSCURRENT name two users whose privileges must be equal. */
  alternating: boolean;
  /** Whether AWSPREVIOUS is meant to keep working for one more rotation interval. */
  previousStaysValid: boolean;
  create(env: Env): Promise<Rotator<SecretRecord>>;
}

const asRecord = <S extends SecretRecord>(rotator: Rotator<S>) => rotator as unknown as Rotator<SecretRecord>;

export const ROTATOR_KINDS: readonly RotatorKind[] = [
  {
    name: 'generic-password',
    target: null,
    alternating: false,
    previousStaysValid: false,
    create: async () => asRecord((await import('../../generic-password/src/rotator.ts')).genericPasswordRotator),
  },
  {
    name: 'postgres-single-user',
    target: 'PostgreSQL',
    alternating: false,
    previousStaysValid: false,
    create: async (env) =>
      asRecord((await import('../../postgres-single-user/src/rotator.ts')).createPostgresSingleUserRotator({ env })),
  },
  {
    name: 'postgres-alternating-users',
    target: 'PostgreSQL',
    alternating: true,
    previousStaysValid: true,
    create: async (env) =>
      asRecord(
        (await import('../../postgres-alternating-users/src/rotator.ts')).createPostgresAlternatingUsersRotator({
          env,
        }),
      ),
  },
  {
    name: 'mysql-alternating-users',
    target: 'MySQL',
    alternating: true,
    previousStaysValid: true,
    create: async (env) =>
      asRecord(
        (await import('../../mysql-alternating-users/src/rotator.ts')).createMysqlAlternatingUsersRotator({ env }),
      ),
  },
  {
    name: 'api-key',
    target: 'the key API',
    alternating: false,
    previousStaysValid: true,
    create: async (env) => asRecord((await import('../../api-key/src/rotator.ts')).createApiKeyRotator({ env })),
  },
];

export const ROTATOR_NAMES = ROTATOR_KINDS.map((kind) => kind.name);

export function rotatorKind(name: string): RotatorKind | undefined {
  return ROTATOR_KINDS.find((kind) => kind.name === name);
}

/**
 * A guess from the shape of the secret's JSON (AWSCURRENT), as AWS's templates document it. Only
 * field names and the engine are looked at. undefined: no single rotator fits.
 */
export function rotatorFromFields(secretString: string | undefined): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  if ('apiKey' in fields && 'keyId' in fields && 'baseUrl' in fields) return 'api-key';
  const engine = typeof fields.engine === 'string' ? fields.engine.toLowerCase() : undefined;
  if (engine === 'postgres' || engine === 'aurora-postgresql')
    return 'masterarn' in fields ? 'postgres-alternating-users' : 'postgres-single-user';
  if (engine === 'mysql' || engine === 'aurora-mysql' || engine === 'mariadb')
    return 'masterarn' in fields ? 'mysql-alternating-users' : undefined;
  if (engine === undefined && !('host' in fields) && typeof fields.password === 'string') return 'generic-password';
  return undefined;
}

import { sslField } from '@rotators/core/db';
import { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES, portField } from '@rotators/core/postgres';
import * as z from 'zod/mini';

export { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES } from '@rotators/core/postgres';

/**
 * The secret JSON, as AWS's PostgreSQL templates read it. Optional fields stay absent (defaults
 * are applied when connecting) and unknown fields are kept, so the stored JSON keeps its shape.
 */
export const postgresSecret = z.looseObject({
  engine: z.enum(['postgres', 'aurora-postgresql'], { error: 'must be "postgres" or "aurora-postgresql"' }),
  host: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  username: z.string({ error: 'must be a string' }).check(
    z.minLength(1, { error: 'must not be empty' }),
    z.refine((name) => Buffer.byteLength(name, 'utf8') <= MAX_ROLE_NAME_BYTES, {
      error: `must be at most ${MAX_ROLE_NAME_BYTES} bytes (PostgreSQL would truncate it)`,
    }),
    z.refine((name) => !name.includes('\0'), { error: 'must not contain a NUL character' }),
  ),
  password: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  port: z.optional(portField),
  dbname: z.nullish(z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' }))),
  ssl: sslField,
});
export type PostgresSecret = z.infer<typeof postgresSecret>;

/** Where a secret version points, with the defaults applied. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  username: string;
}

export function targetOf(secret: PostgresSecret): PostgresTarget {
  return {
    host: secret.host,
    port: secret.port === undefined ? DEFAULT_PORT : Number(secret.port),
    database: secret.dbname ?? DEFAULT_DATABASE,
    username: secret.username,
  };
}

/**
 * The secret JSON this rotator reads and writes, and the master secret it reads.
 *
 * AWS's PostgreSQL multi-user shape (engine, host, port, username, password, dbname, masterarn,
 * ssl) plus an optional `ownerRole`. Optional fields stay absent in the versions the rotator writes
 * (defaults are applied only when connecting) and unknown fields are kept (z.looseObject).
 */
import { sslField } from '@rotators/core/db';
import { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES, portField } from '@rotators/core/postgres';
import * as z from 'zod/mini';

export { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES } from '@rotators/core/postgres';

// Control characters have no business in a role or host name and would only hide in logs.
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

const roleName = z.string({ error: 'must be a string' }).check(
  z.minLength(1, { error: 'must not be empty' }),
  z.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }),
  z.refine((name) => Buffer.byteLength(name, 'utf8') <= MAX_ROLE_NAME_BYTES, {
    error: `must be at most ${MAX_ROLE_NAME_BYTES} bytes (PostgreSQL would truncate it)`,
  }),
);

const hostName = z
  .string({ error: 'must be a string' })
  .check(
    z.minLength(1, { error: 'must not be empty' }),
    z.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }),
  );

export const postgresAlternatingSecret = z.looseObject({
  engine: z.enum(['postgres', 'aurora-postgresql'], { error: 'must be "postgres" or "aurora-postgresql"' }),
  host: hostName,
  username: roleName,
  password: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  port: z.optional(portField),
  dbname: z.nullish(
    z
      .string({ error: 'must be a string' })
      .check(
        z.minLength(1, { error: 'must not be empty' }),
        z.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }),
      ),
  ),
  masterarn: z
    .string({ error: 'is required: the ARN of the admin (master) secret' })
    .check(z.minLength(1, { error: 'must not be empty' })),
  /** The NOLOGIN role both users act as; default `<base>_owner`. */
  ownerRole: z.optional(roleName),
  ssl: sslField,
});
export type PostgresAlternatingSecret = z.infer<typeof postgresAlternatingSecret>;

/**
 * The admin secret `masterarn` names, read at AWSCURRENT through the engine. `host` is required:
 * the master is used only at the server the secret names, and an RDS-managed master secret
 * (`rds!…`, only username and password) is not supported yet (see the README).
 */
export const masterSecret = z.looseObject({
  username: roleName,
  password: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  host: z
    .string({
      error:
        'is required: the master is used only on the server it names (RDS-managed master secrets, which have no ' +
        'host, are not supported yet)',
    })
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }),
    ),
  port: z.optional(portField),
  engine: z.optional(z.string()),
  /** The master's own TLS setting: the app secret's "ssl" never applies to the master's login. */
  ssl: sslField,
});
export type MasterSecret = z.infer<typeof masterSecret>;

export function portOf(secret: { port?: number | string | undefined }): number {
  return secret.port === undefined ? DEFAULT_PORT : Number(secret.port);
}

export function databaseOf(secret: { dbname?: string | null }): string {
  return secret.dbname ?? DEFAULT_DATABASE;
}

/** Host names compare without case (DNS) and surrounding spaces. */
export function sameHost(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The secret JSON this rotator reads and writes, and the master secret it reads.
 *
 * Values are validated but not rewritten: `port: "3306"` and `ssl: "true"` stay as the user wrote
 * them (AWS's template copies the whole dict), and `portOf` / `sslOf` give the effective values.
 * Unknown fields are kept (z.looseObject).
 */
import { sslField } from '@rotators/core/db';
import * as z from 'zod/mini';

export const ENGINES = ['mysql', 'aurora-mysql', 'mariadb'] as const;
export const DEFAULT_PORT = 3306;

// Control characters have no business in a user or host name and would only hide in logs.
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

const name = (what: string) =>
  z
    .string({ error: 'must be a string' })
    .check(
      z.minLength(1, { error: `must be a non-empty ${what}` }),
      z.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }),
    );

/** A port as a number or a string of digits (AWS casts with int()), 1–65535. */
const portValue = z.optional(z.union([z.number(), z.string()], { error: 'must be a number' })).check(
  z.refine((value) => value === undefined || (isPort(Number(value)) && /^\d+$/.test(String(value))), {
    error: 'must be an integer from 1 to 65535',
  }),
);

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** The `ssl` field, validated by core's sslField but stored as written. */
const sslValue = z
  .unknown()
  .check(z.refine((value) => z.safeParse(sslField, value).success, { error: 'must be true or false' }));

export const mysqlSecretSchema = z.looseObject({
  engine: z.enum(ENGINES, { error: `must be one of ${ENGINES.join(', ')}` }),
  host: name('host name'),
  username: name('user name'),
  password: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  port: portValue,
  dbname: z.optional(
    z.nullable(
      z
        .string({ error: 'must be a string' })
        .check(z.minLength(1, { error: 'must not be empty (leave it out to connect without a database)' })),
    ),
  ),
  masterarn: z
    .string({ error: 'is required: the ARN of the admin (master) secret' })
    .check(z.minLength(1, { error: 'must not be empty' })),
  ssl: z.optional(sslValue),
});
export type MysqlSecret = z.infer<typeof mysqlSecretSchema>;

/** The admin secret named by `masterarn`. Only its AWSCURRENT is read, through the engine. */
export const masterSecretSchema = z.looseObject({
  username: name('user name'),
  password: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  // Absent only in RDS-managed master secrets (guards.ts, rdsMaster.ts).
  host: z.optional(name('host name')),
  port: portValue,
  engine: z.optional(z.string()),
  /** The master's own TLS setting: the app secret's "ssl" never applies to the master's login. */
  ssl: z.optional(sslValue),
});
export type MasterSecret = z.infer<typeof masterSecretSchema>;

export function portOf(secret: { port?: unknown }): number {
  return secret.port === undefined ? DEFAULT_PORT : Number(secret.port);
}

export function sslOf(secret: { ssl?: unknown }): boolean | undefined {
  return z.parse(sslField, secret.ssl);
}

/** Host names compare without case (DNS) and surrounding spaces. */
export function sameHost(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

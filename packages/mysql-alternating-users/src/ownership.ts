/**
 * Evidence, kept on the server, of what this rotator did for which secret: one row per account it
 * created (or adopted on purpose), naming the secret it acted for, and whether the account is
 * locked because the rotator locked it.
 *
 *   `rotators`.`accounts` (user, host, secret_arn, locked_by_rotator)
 *
 * Why on the server and not in a secret version: whoever can write the secret can write any
 * version, AWSPREVIOUS's `username` included, so a secret cannot vouch for itself. Why a table:
 * MariaDB (10.11 checked) has no account COMMENT or ATTRIBUTE (`CREATE USER … COMMENT` is a syntax
 * error there) and mysql.global_priv is not writable by SQL; a role as a marker would show up in
 * the users' grants and default roles, which this rotator keeps equal. A table works the same on
 * MySQL 8 and MariaDB, can be tested here, and can name the secret. It is as trustworthy as the
 * accounts that can write to it: the master and anyone with INSERT/UPDATE on `rotators`.* or *.*
 * — never grant that to an application user.
 *
 * The rules (checked before any write, see alternation.ts):
 * - a pair of users (`app`, `app_clone`) belongs to the secret its rows name. Rows naming another
 *   secret: refused (ConfusedDeputyError on `username`), nothing written;
 * - an existing pending user may get a new password only when a row of the pair names this
 *   secret: the rotator created one of the two users for it, at a time when this secret's
 *   AWSCURRENT logged in as the other one. Otherwise refused, unless ADOPT_EXISTING_CLONE=true,
 *   which writes the rows, or the pair has no row at all (made before these rows existed) and
 *   AWSPREVIOUS's password logs in as the pending user — the server's own proof that this secret's
 *   holder already holds that account, so recording the pair gives nobody an account they did not
 *   have. That is the migration of existing pairs, with no setting;
 * - a locked account is unlocked only when its row says the rotator locked it.
 */
import { ConfusedDeputyError, type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { query, run } from './connect.ts';

export const OWNERSHIP_TABLE = '`rotators`.`accounts`';

export interface OwnershipRow {
  user: string;
  host: string;
  secretArn: string;
  lockedByRotator: boolean;
}

const key = (user: string, host: string) => `${user}\u0000${host}`;

/** The rows of both users of a pair, keyed by user and host. No table yet: no rows. */
export class Ownership {
  private constructor(
    private readonly rows: Map<string, OwnershipRow>,
    private tableReady: boolean,
  ) {}

  /** For reads that decide nothing about ownership (testSecret). */
  static none(): Ownership {
    return new Ownership(new Map(), false);
  }

  static async read(connection: Connection, users: string[], ctx: StepContext): Promise<Ownership> {
    try {
      const rows = await query(
        connection,
        'SELECT user, host, secret_arn AS secretArn, locked_by_rotator AS locked ' +
          `FROM ${OWNERSHIP_TABLE} WHERE user IN (?)`,
        [users],
      );
      const found = new Map<string, OwnershipRow>();
      for (const row of rows as Record<string, unknown>[]) {
        const entry = {
          user: String(row.user),
          host: String(row.host),
          secretArn: String(row.secretArn),
          lockedByRotator: Number(row.locked) === 1,
        };
        found.set(key(entry.user, entry.host), entry);
      }
      return new Ownership(found, true);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Nothing was ever recorded on this server.
      if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_DB_ERROR') return new Ownership(new Map(), false);
      throw new TargetOperationError(
        `reading ${OWNERSHIP_TABLE} (the rotator's record of the accounts ` +
          `it made) failed${typeof code === 'string' ? `: ${code}` : ''}; ` +
          'the master needs SELECT, INSERT, UPDATE and CREATE on `rotators`.* (nothing was changed)',
        ctx,
      );
    }
  }

  /** No row names either user of the pair: a pair made before the record existed, or none. */
  isEmpty(): boolean {
    return this.rows.size === 0;
  }

  get(user: string, host: string): OwnershipRow | undefined {
    return this.rows.get(key(user, host));
  }

  /** Secrets other than `secretArn` that rows of these users name. */
  otherSecrets(secretArn: string): string[] {
    return [...new Set([...this.rows.values()].filter((r) => r.secretArn !== secretArn).map((r) => r.secretArn))];
  }

  /** Does any row of the pair name this secret? */
  belongsTo(secretArn: string): boolean {
    return [...this.rows.values()].some((r) => r.secretArn === secretArn);
  }

  /** Did the rotator lock this account (and has not unlocked it since)? */
  lockedByRotator(user: string, host: string, secretArn: string): boolean {
    const row = this.get(user, host);
    return !!row && row.secretArn === secretArn && row.lockedByRotator;
  }

  /** Write (insert or replace) the row of one account: before CREATE USER, after ACCOUNT LOCK/UNLOCK. */
  async record(connection: Connection, row: OwnershipRow, ctx: StepContext): Promise<void> {
    if (!this.tableReady) {
      await run(
        connection,
        'creating the database `rotators`',
        'CREATE DATABASE IF NOT EXISTS `rotators`',
        undefined,
        ctx,
      );
      await run(
        connection,
        `creating ${OWNERSHIP_TABLE}`,
        `CREATE TABLE IF NOT EXISTS ${OWNERSHIP_TABLE} (` +
          '`user` VARCHAR(255) NOT NULL, `host` VARCHAR(255) NOT NULL, ' +
          '`secret_arn` VARCHAR(2048) NOT NULL, `locked_by_rotator` BOOLEAN NOT NULL, ' +
          'PRIMARY KEY (`user`, `host`)) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin',
        undefined,
        ctx,
      );
      this.tableReady = true;
    }
    await run(
      connection,
      `recording ${row.user}@${row.host} in ${OWNERSHIP_TABLE}`,
      `INSERT INTO ${OWNERSHIP_TABLE} (user, host, secret_arn, locked_by_rotator) VALUES (?, ?, ?, ?) ` +
        'ON DUPLICATE KEY UPDATE secret_arn = VALUES(secret_arn), locked_by_rotator = VALUES(locked_by_rotator)',
      [row.user, row.host, row.secretArn, row.lockedByRotator],
      ctx,
    );
    this.rows.set(key(row.user, row.host), row);
  }
}

/**
 * The pair must be this secret's (or adopted on purpose). `pendingExists`: the pending user has
 * accounts already. Throws before any write.
 */
export function checkPairOwnership(
  ownership: Ownership,
  { base, clone, pending, pendingExists }: { base: string; clone: string; pending: string; pendingExists: boolean },
  adoptExisting: boolean,
  ctx: StepContext,
): void {
  if (adoptExisting) return;
  const others = ownership.otherSecrets(ctx.secretId);
  if (others.length > 0) {
    throw new ConfusedDeputyError(
      'username',
      `the users ${base} and ${clone} were made by this rotator for another ` +
        `secret (${others.join(', ')}), as ${OWNERSHIP_TABLE} records. ` +
        'Rotating would take them over. Set ADOPT_EXISTING_CLONE=true ' +
        'on the function if this secret is meant to take them over',
      ctx,
    );
  }
  if (pendingExists && !ownership.belongsTo(ctx.secretId)) {
    throw new ConfusedDeputyError(
      'username',
      `the pending user ${pending} already exists and nothing on the server shows that ` +
        `this rotator made it or its pair for this secret (no row in ${OWNERSHIP_TABLE}). ` +
        'Rotating would take over that account. Drop it, or set ' +
        'ADOPT_EXISTING_CLONE=true on the function if it is meant to be adopted ' +
        '(also the one-time migration for clones made by a version of this rotator that kept no record)',
      ctx,
    );
  }
}

/** SHOW GRANTS parsing and the sync plan: pure logic, on lines copied from MariaDB 10.11 and MySQL 8.4. */
import { describe, expect, it } from 'vitest';
import { describeAtom, parseGrantLine, parseGrants } from '../../src/grantParser.ts';
import { missingMasterRights } from '../../src/masterRights.ts';
import { planSync } from '../../src/grantSync.ts';

describe('parseGrantLine', () => {
  it('MariaDB: drops USAGE, the password hash and REQUIRE from the global line', () => {
    const atoms = parseGrantLine(
      "GRANT RELOAD, PROCESS ON *.* TO `o'ha``ra`@`%` " +
        "IDENTIFIED BY PASSWORD '*60343BC91640688B13CCF8D04A63557C535E878C' REQUIRE SSL",
    );
    expect(atoms).toEqual([
      { kind: 'privilege', object: '*.*', privilege: 'RELOAD' },
      { kind: 'privilege', object: '*.*', privilege: 'PROCESS' },
    ]);
    expect(JSON.stringify(atoms)).not.toContain('60343BC9');
    expect(parseGrantLine("GRANT USAGE ON *.* TO `lk`@`%` IDENTIFIED BY PASSWORD '*BB0A55'")).toEqual([]);
  });

  it('column privileges, quoted names with ? and backticks, WITH GRANT OPTION', () => {
    expect(
      parseGrantLine('GRANT SELECT (`b c`, `a`), UPDATE (`a`) ON `sh?op`.`t` TO `u`@`%`').map(describeAtom),
    ).toEqual(['SELECT (`b c`) ON `sh?op`.`t`', 'SELECT (`a`) ON `sh?op`.`t`', 'UPDATE (`a`) ON `sh?op`.`t`']);
    expect(
      parseGrantLine('GRANT SELECT, INSERT ON `we?ird``db`.* TO `x`@`%` WITH GRANT OPTION').map(describeAtom),
    ).toEqual(['SELECT ON `we?ird``db`.*', 'INSERT ON `we?ird``db`.*', 'GRANT OPTION ON `we?ird``db`.*']);
  });

  it('roles and default roles (MariaDB), role accounts and dynamic privileges (MySQL 8)', () => {
    expect(parseGrantLine('GRANT `r1` TO `app`@`%` WITH ADMIN OPTION').map(describeAtom)).toEqual([
      'role `r1`',
      'ADMIN OPTION for role `r1`',
    ]);
    expect(parseGrantLine('SET DEFAULT ROLE `r1` FOR `app`@`%`').map(describeAtom)).toEqual(['default role `r1`']);
    expect(parseGrantLine('GRANT `app_read`@`%`,`app_write`@`%` TO `app`@`10.0.%`').map(describeAtom)).toEqual([
      'role `app_read`@`%`',
      'role `app_write`@`%`',
    ]);
    expect(
      parseGrantLine('GRANT APPLICATION_PASSWORD_ADMIN,BACKUP_ADMIN ON *.* TO `app`@`%`').map(describeAtom),
    ).toEqual(['APPLICATION_PASSWORD_ADMIN ON *.*', 'BACKUP_ADMIN ON *.*']);
    expect(
      parseGrantLine('GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `shop`.`p` TO `app`@`%`').map(describeAtom),
    ).toEqual(['EXECUTE ON PROCEDURE `shop`.`p`', 'ALTER ROUTINE ON PROCEDURE `shop`.`p`']);
  });

  it('a user or host named like a keyword stays a name', () => {
    expect(parseGrantLine('GRANT SELECT ON `TO`.`ON` TO `TO`@`ON`').map(describeAtom)).toEqual(['SELECT ON `TO`.`ON`']);
  });

  it('refuses what it does not understand rather than guessing', () => {
    expect(() => parseGrantLine('REVOKE SELECT ON *.* FROM x')).toThrow(/neither GRANT/);
    expect(() => parseGrantLine('GRANT SELECT ON `unterminated TO x')).toThrow(/unterminated/);
  });
});

describe('planSync', () => {
  const target = "'app_clone'@'%'";
  it('grants what is missing before revoking what is extra, privilege by privilege', () => {
    const source = parseGrants([
      'GRANT SELECT, DELETE ON `shop`.* TO `app`@`%` WITH GRANT OPTION',
      'GRANT `r1` TO `app`@`%`',
    ]);
    const current = parseGrants([
      'GRANT SELECT, INSERT ON `shop`.* TO `app_clone`@`%`',
      'GRANT `r2` TO `app_clone`@`%`',
    ]);
    expect(planSync(source, current, target)).toEqual({
      grants: [
        "GRANT SELECT, DELETE ON `shop`.* TO 'app_clone'@'%' WITH GRANT OPTION",
        "GRANT `r1` TO 'app_clone'@'%'",
      ],
      revokes: ["REVOKE INSERT ON `shop`.* FROM 'app_clone'@'%'", "REVOKE `r2` FROM 'app_clone'@'%'"],
    });
  });

  it('equal grants: nothing to do', () => {
    const lines = ['GRANT SELECT ON `shop`.* TO `u`@`%`'];
    expect(planSync(parseGrants(lines), parseGrants(lines), target)).toEqual({ grants: [], revokes: [] });
  });

  it('grant option and admin option are revoked on their own, keeping the privilege or role', () => {
    const source = parseGrants(['GRANT SELECT ON `shop`.* TO `app`@`%`', 'GRANT `r1` TO `app`@`%`']);
    const current = parseGrants([
      'GRANT SELECT ON `shop`.* TO `c`@`%` WITH GRANT OPTION',
      'GRANT `r1` TO `c`@`%` WITH ADMIN OPTION',
      'SET DEFAULT ROLE `r1` FOR `c`@`%`',
    ]);
    expect(planSync(source, current, target).revokes).toEqual([
      "SET DEFAULT ROLE NONE FOR 'app_clone'@'%'",
      "REVOKE GRANT OPTION ON `shop`.* FROM 'app_clone'@'%'",
      "REVOKE ADMIN OPTION FOR `r1` FROM 'app_clone'@'%'",
    ]);
  });
});

describe('planSync with ALL PRIVILEGES', () => {
  const target = "'app_clone'@'%'";
  it(
    'base holds ALL where the clone holds some: GRANT ALL, and ' +
      'no REVOKE of what ALL folds in (column grants still go)',
    () => {
      const source = parseGrants(['GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`']);
      const current = parseGrants([
        'GRANT SELECT, INSERT ON `shop`.* TO `app_clone`@`%`',
        'GRANT SELECT (`id`) ON `shop`.`orders` TO `app_clone`@`%`',
      ]);
      expect(planSync(source, current, target)).toEqual({
        grants: ["GRANT ALL PRIVILEGES ON `shop`.* TO 'app_clone'@'%'"],
        revokes: ["REVOKE SELECT (`id`) ON `shop`.`orders` FROM 'app_clone'@'%'"],
      });
      // Once the server shows ALL for the clone, nothing is left to do.
      expect(planSync(source, parseGrants(['GRANT ALL PRIVILEGES ON `shop`.* TO `app_clone`@`%`']), target)).toEqual({
        grants: [],
        revokes: [],
      });
    },
  );

  it('clone holds ALL where the base holds less: first revoke one privilege the base lacks, never REVOKE ALL', () => {
    const source = parseGrants([
      'GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`',
      'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `app`@`%`',
    ]);
    const current = parseGrants([
      'GRANT ALL PRIVILEGES ON `shop`.* TO `app_clone`@`%`',
      'GRANT ALL PRIVILEGES ON PROCEDURE `shop`.`p` TO `app_clone`@`%`',
    ]);
    expect(planSync(source, current, target)).toEqual({
      grants: [],
      revokes: [
        "REVOKE DROP ON `shop`.* FROM 'app_clone'@'%'",
        "REVOKE ALTER ROUTINE ON PROCEDURE `shop`.`p` FROM 'app_clone'@'%'",
      ],
    });
    // What the server shows after that revoke: an explicit list; the extras go by name.
    const explicit = parseGrants(['GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON `shop`.* TO `app_clone`@`%`']);
    expect(planSync(source, explicit, target).revokes).toEqual([
      "REVOKE UPDATE, DELETE, CREATE ON `shop`.* FROM 'app_clone'@'%'",
    ]);
    // A base with no privilege on the object: REVOKE ALL takes nothing it should keep.
    expect(
      planSync(parseGrants([]), parseGrants(['GRANT ALL PRIVILEGES ON `x`.* TO `c`@`%`']), target).revokes,
    ).toEqual(["REVOKE ALL PRIVILEGES ON `x`.* FROM 'app_clone'@'%'"]);
  });
});

describe('missingMasterRights', () => {
  const needed = [
    ...parseGrants([
      'GRANT SELECT ON `shop`.* TO `app`@`%`',
      'GRANT UPDATE (`a`) ON `shop`.`t` TO `app`@`%`',
      'GRANT `r1` TO `app`@`%`',
    ]).values(),
  ];
  it('global CREATE USER and GRANT OPTION, and ADMIN OPTION on the role: nothing missing', () => {
    const master = parseGrants([
      'GRANT ALL PRIVILEGES ON *.* TO `admin`@`%` WITH GRANT OPTION',
      'GRANT `r1` TO `admin`@`%` WITH ADMIN OPTION',
    ]);
    expect(missingMasterRights(master, needed)).toEqual([]);
  });
  it('per-object GRANT OPTION counts; a database-level one does not cover a table (conservative)', () => {
    const master = parseGrants([
      'GRANT CREATE USER ON *.* TO `m`@`%`',
      'GRANT SELECT ON `shop`.* TO `m`@`%` WITH GRANT OPTION',
      'GRANT `r1` TO `m`@`%` WITH ADMIN OPTION',
    ]);
    expect(missingMasterRights(master, needed)).toEqual(['GRANT OPTION ON `shop`.`t`']);
  });
  it('reading rights only: every missing right is named', () => {
    const master = parseGrants(['GRANT SELECT ON `mysql`.* TO `m`@`%`', 'GRANT `r1` TO `m`@`%`']);
    expect(missingMasterRights(master, needed)).toEqual([
      'CREATE USER ON *.*',
      'GRANT OPTION ON `shop`.*',
      'GRANT OPTION ON `shop`.`t`',
      'ADMIN OPTION for role `r1`',
    ]);
  });
});

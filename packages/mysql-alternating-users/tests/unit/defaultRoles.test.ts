/**
 * MySQL 8 default roles, which no server here can run (no MySQL 8 on these machines): the SHOW
 * GRANTS role lines of MySQL 8.4, the rows of mysql.default_roles rendered as the same names, the
 * one-statement SET DEFAULT ROLE … TO of MySQL, and CURRENT_ROLE()'s answers. MariaDB's forms are
 * proven on a real server in tests/integration/defaultRoles.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseCurrentRoles, roleName, setDefaultRoles } from '../../src/defaultRoles.ts';
import { atomKey, type GrantAtom, parseGrants } from '../../src/grantParser.ts';
import { planSync } from '../../src/grantSync.ts';

const target = "'app_clone'@'%'";
const withDefaults = (lines: string[], defaults: [string, string][]) => {
  const grants = parseGrants(lines);
  for (const [user, host] of defaults) {
    const atom: GrantAtom = { kind: 'defaultRole', role: roleName(user, host) };
    grants.set(atomKey(atom), atom);
  }
  return grants;
};

describe('MySQL 8 default roles', () => {
  it('a role named in a MySQL 8.4 SHOW GRANTS line and the same role from mysql.default_roles render alike', () => {
    const grants = parseGrants([
      'GRANT USAGE ON *.* TO `app`@`%`',
      'GRANT `reporting`@`%`,`ops``x`@`10.%` TO `app`@`%`',
    ]);
    expect([...grants.values()]).toEqual([
      { kind: 'role', role: roleName('reporting', '%') },
      { kind: 'role', role: roleName('ops`x', '10.%') },
    ]);
    expect(roleName('reporting', '%')).toBe('`reporting`@`%`');
  });

  it('the clone lacks the default roles: one SET DEFAULT ROLE … TO with the whole list, after the role grants', () => {
    const roles = ['GRANT USAGE ON *.* TO `x`@`%`', 'GRANT `r1`@`%`,`r2`@`%` TO `x`@`%`'];
    const source = withDefaults(roles, [
      ['r1', '%'],
      ['r2', '%'],
    ]);
    const plan = planSync(source, parseGrants(['GRANT USAGE ON *.* TO `x`@`%`']), target, 'mysql');
    expect(plan.grants).toEqual([
      "GRANT `r1`@`%` TO 'app_clone'@'%'",
      "GRANT `r2`@`%` TO 'app_clone'@'%'",
      "SET DEFAULT ROLE `r1`@`%`, `r2`@`%` TO 'app_clone'@'%'",
    ]);
    expect(plan.revokes).toEqual([]);
    // One default role differs: the whole list again.
    const partly = withDefaults(roles, [['r1', '%']]);
    expect(planSync(source, partly, target, 'mysql').grants).toEqual([
      "SET DEFAULT ROLE `r1`@`%`, `r2`@`%` TO 'app_clone'@'%'",
    ]);
    expect(planSync(source, source, target, 'mysql')).toEqual({ grants: [], revokes: [] });
  });

  it('the base user has no default roles, the clone has: SET DEFAULT ROLE NONE TO, first among the revokes', () => {
    const roles = ['GRANT `r1`@`%` TO `x`@`%`'];
    expect(planSync(parseGrants(roles), withDefaults(roles, [['r1', '%']]), target, 'mysql')).toEqual({
      grants: [],
      revokes: ["SET DEFAULT ROLE NONE TO 'app_clone'@'%'"],
    });
  });

  it('MariaDB keeps its own form (FOR, one role)', () => {
    expect(setDefaultRoles('mariadb', ['`r`'], target)).toBe("SET DEFAULT ROLE `r` FOR 'app_clone'@'%'");
    expect(setDefaultRoles('mariadb', [], target)).toBe("SET DEFAULT ROLE NONE FOR 'app_clone'@'%'");
    expect(() => setDefaultRoles('mariadb', ['`a`', '`b`'], target)).toThrow();
  });

  it("CURRENT_ROLE(): MySQL's list or NONE, MariaDB's bare name or NULL, as the atoms name roles", () => {
    expect(parseCurrentRoles('`r1`@`%`,`r2`@`localhost`', 'mysql')).toEqual(new Set(['`r1`@`%`', '`r2`@`localhost`']));
    expect(parseCurrentRoles('`we,ird`@`%`', 'mysql')).toEqual(new Set(['`we,ird`@`%`']));
    expect(parseCurrentRoles('NONE', 'mysql')).toEqual(new Set());
    expect(parseCurrentRoles('reporting', 'mariadb')).toEqual(new Set(['`reporting`']));
    expect(parseCurrentRoles(null, 'mariadb')).toEqual(new Set());
  });
});

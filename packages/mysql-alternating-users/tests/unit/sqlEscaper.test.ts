/**
 * This package escapes SQL with sql-escaper directly (importing mysql2 for it would load the
 * driver in every step). That is only mysql2's own escaping while both resolve the same
 * sql-escaper: a second, different copy under mysql2 would make them differ silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeId, escape as escapeValue } from 'sql-escaper';
import { describe, expect, it } from 'vitest';

const ours = createRequire(import.meta.url);
const mysql2 = createRequire(ours.resolve('mysql2'));

/** The folder of the package a resolved file belongs to: the nearest one with a named package.json. */
function packageDirOf(resolved: string): string {
  let dir = dirname(resolved);
  while (!existsSync(join(dir, 'package.json')) || !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name)
    dir = dirname(dir);
  return dir;
}

describe('sql-escaper', () => {
  it('is the copy mysql2 uses', () => {
    expect(packageDirOf(mysql2.resolve('sql-escaper'))).toBe(packageDirOf(ours.resolve('sql-escaper')));
  });

  it('escapes as mysql2 does', async () => {
    const { default: driver } = await import('mysql2/promise');
    for (const value of ["o'brien", 'back\\slash', 'müller', 'a`b', '\0\n\r\x1a']) {
      expect(escapeValue(value)).toBe(driver.escape(value));
      expect(escapeId(value, true)).toBe(driver.escapeId(value, true));
    }
  });
});

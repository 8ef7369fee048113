/**
 * defaultConnect bounds mysql2's cache of compiled row parsers (src/connect.ts): without the bound,
 * each secret's SHOW GRANTS column ("Grants for app@%") adds a parser that stays for the life of a
 * warm function. Checked on mysql2's own cache, the module the driver uses, with no server needed:
 * the bound is set before the driver connects, so a login refused at once is enough.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConnect, PARSER_CACHE_ENTRIES } from '../../src/connect.ts';

const require = createRequire(import.meta.url);

interface ParserCache {
  getParser(type: string, fields: object[], options: object, config: object, compile: () => unknown): unknown;
  setMaxCache(max: number): void;
}
/**
 * mysql2's internal cache module (lib/parsers/parser_cache.js), the one mysql2/promise uses: by its
 * file path, which mysql2's exports map does not list, so Node loads the same module instance.
 */
const parserCache = require(join(dirname(require.resolve('mysql2')), 'lib/parsers/parser_cache.js')) as ParserCache;

/** Whether a parser for a result with one column named `name` is compiled anew (not cached). */
function compiles(name: string): boolean {
  let compiled = false;
  const field = { columnType: 253, characterSet: 45, decimals: 0, flags: 0, name, table: '' };
  parserCache.getParser('text', [field], {}, { timezone: 'local' }, () => {
    compiled = true;
    return {};
  });
  return compiled;
}

/** After `count` other results, is the parser for `first` still cached? */
function keptAfter(count: number): boolean {
  const first = `Grants for first_${count}@%`;
  compiles(first);
  for (let i = 0; i < count; i += 1) compiles(`Grants for user_${count}_${i}@%`);
  return !compiles(first);
}

describe("mysql2's row-parser cache", () => {
  it('without defaultConnect, mysql2 keeps far more parsers than a rotation needs (the leak this bounds)', () => {
    parserCache.setMaxCache(15_000);
    expect(keptAfter(500)).toBe(true);
  });

  it(`after defaultConnect, at most ${PARSER_CACHE_ENTRIES} are kept: the oldest goes first`, async () => {
    parserCache.setMaxCache(15_000);
    // Port 1 on loopback refuses at once; the bound is set before the connection is tried.
    await expect(defaultConnect({ host: '127.0.0.1', port: 1, connectTimeout: 2000 })).rejects.toThrow();
    expect(keptAfter(PARSER_CACHE_ENTRIES - 2)).toBe(true);
    expect(keptAfter(PARSER_CACHE_ENTRIES + 10)).toBe(false);
  });
});

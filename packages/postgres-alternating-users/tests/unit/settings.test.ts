/** Per-role settings turned back into SET statements the way pg_dump does (pure). */
import { describe, expect, it } from 'vitest';
import { resetStatement, setStatement, splitGucList, splitSetting } from '../../src/settings.ts';

describe('per-role settings', () => {
  it('splits "name=value" at the first "="', () => {
    expect(splitSetting('application_name=a=b')).toEqual(['application_name', 'a=b']);
    expect(splitSetting('broken')).toBeUndefined();
  });

  it('splits a list like pg_dump SplitGUCList: quoted elements keep commas, spaces and doubled quotes', () => {
    expect(splitGucList('"$user", public, "odd, ""name"')).toEqual(['$user', 'public', 'odd, "name']);
    expect(splitGucList('a,b')).toEqual(['a', 'b']);
    expect(splitGucList('""')).toEqual(['']);
    for (const malformed of ['', '   ', '"unterminated', 'a,,b', 'a b', 'a,'])
      expect(splitGucList(malformed), malformed).toBeUndefined();
  });

  it('sends list variables element by element and everything else as one literal, names quoted', () => {
    expect(setStatement('app_clone', null, 'search_path', '"$user", public, "odd, ""name"')).toBe(
      `ALTER ROLE "app_clone" SET "search_path" TO '$user', 'public', 'odd, "name'`,
    );
    expect(setStatement('app_clone', 'shop', 'DateStyle', 'ISO, MDY')).toBe(
      `ALTER ROLE "app_clone" IN DATABASE "shop" SET "DateStyle" TO 'ISO, MDY'`,
    );
    expect(setStatement('a"b', null, 'myapp.Tenant', "it's")).toBe(`ALTER ROLE "a""b" SET "myapp"."Tenant" TO 'it''s'`);
    expect(setStatement('app_clone', null, 'search_path', '"unterminated')).toBeUndefined();
    expect(resetStatement('app_clone', 'shop', 'work_mem')).toBe(
      `ALTER ROLE "app_clone" IN DATABASE "shop" RESET "work_mem"`,
    );
    expect(resetStatement('app_clone', null, 'bad..name')).toBeUndefined();
  });
});

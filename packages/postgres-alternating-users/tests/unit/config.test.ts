/** ADOPT_OWNERSHIP / ADOPT_DATABASES and the adoption decision (pure). */
import { ConfigurationError } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { readAdoptionConfig } from '../../src/config.ts';
import { adoptionDatabases, OwnedObjectsError, SHARED } from '../../src/ownedObjects.ts';

const ctx = {
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
  step: 'createSecret' as const,
  token: 't',
  logger: undefined as never,
  readSecret: undefined as never,
};
const names = { base: 'app', clone: 'app_clone', owner: 'app_owner' };
const owned = (entries: [string, number][]) => ({
  byDatabase: new Map(entries),
  total: entries.reduce((a, [, n]) => a + n, 0),
  defaultPrivileges: 0,
});

describe('adoption settings', () => {
  it('default: no adoption; "true"/"false" only; ADOPT_DATABASES a list without empty names', () => {
    expect(readAdoptionConfig({})).toEqual({ adoptOwnership: false });
    expect(readAdoptionConfig({ ADOPT_OWNERSHIP: 'TRUE', ADOPT_DATABASES: 'shop, reports,shop' })).toEqual({
      adoptOwnership: true,
      databases: ['shop', 'reports'],
    });
    expect(() => readAdoptionConfig({ ADOPT_OWNERSHIP: 'yes please' })).toThrow(ConfigurationError);
    expect(() => readAdoptionConfig({ ADOPT_DATABASES: 'shop,,reports' })).toThrow(ConfigurationError);
  });
});

describe('adoptionDatabases', () => {
  it('nothing owned: nothing to do, whatever the settings', () => {
    expect(adoptionDatabases(owned([]), names, { adoptOwnership: false }, 'shop', ctx)).toEqual([]);
  });

  it('objects and no ADOPT_OWNERSHIP: OwnedObjectsError with the count, the places and the setting', () => {
    const error = (() => {
      try {
        adoptionDatabases(
          owned([
            ['shop', 3],
            [SHARED, 1],
          ]),
          names,
          { adoptOwnership: false },
          'shop',
          ctx,
        );
      } catch (e) {
        return e as OwnedObjectsError;
      }
    })();
    expect(error).toBeInstanceOf(OwnedObjectsError);
    expect(error!.objects).toBe(4);
    expect(error!.message).toContain('own 4 objects (1 in (shared: databases, tablespaces), 3 in database "shop")');
    expect(error!.message).toContain('ADOPT_OWNERSHIP=true');
  });

  it(
    'with ADOPT_OWNERSHIP: the listed databases that hold objects; shared objects alone use the first; ' +
      'a database outside the list is refused',
    () => {
      expect(adoptionDatabases(owned([['shop', 3]]), names, { adoptOwnership: true }, 'shop', ctx)).toEqual(['shop']);
      expect(
        adoptionDatabases(
          owned([
            ['a', 1],
            ['b', 1],
          ]),
          names,
          { adoptOwnership: true, databases: ['b', 'a', 'c'] },
          'shop',
          ctx,
        ),
      ).toEqual(['b', 'a']);
      expect(adoptionDatabases(owned([[SHARED, 1]]), names, { adoptOwnership: true }, 'shop', ctx)).toEqual(['shop']);
      expect(() => adoptionDatabases(owned([['other', 1]]), names, { adoptOwnership: true }, 'shop', ctx)).toThrow(
        /set ADOPT_DATABASES/,
      );
      expect(() =>
        adoptionDatabases(owned([['other', 1]]), names, { adoptOwnership: true, databases: ['shop'] }, 'shop', ctx),
      ).toThrow(/ADOPT_DATABASES does not list/);
    },
  );
});

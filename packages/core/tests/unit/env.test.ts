/** The one environment reader: each kind of value means the same for the engine and every rotator. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigurationError,
  readBoolean,
  readCaBundle,
  readChoice,
  readInteger,
  readList,
  readString,
} from '@rotators/core';
import { describe, expect, it } from 'vitest';

const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
};

describe('environment reader', () => {
  it('booleans: one vocabulary, any case; unset or empty is the default; anything else names the variable', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'Y', 'on']) expect(readBoolean({ X: word }, 'X', false)).toBe(true);
    for (const word of ['false', 'False', '0', 'no', 'n', 'OFF'])
      expect(readBoolean({ X: word }, 'X', true)).toBe(false);
    expect(readBoolean({}, 'X', true)).toBe(true);
    expect(readBoolean({ X: '  ' }, 'X', false)).toBe(false);
    const error = refusal(() => readBoolean({ X: 'sometimes' }, 'X', false));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.variable).toBe('X');
    expect(error.message).toContain('X must be true or false (got "sometimes")');
  });

  it('integers: digits within the range', () => {
    expect(readInteger({ N: ' 12 ' }, 'N', { fallback: 5, min: 1, max: 60 })).toBe(12);
    expect(readInteger({}, 'N', { fallback: 5, min: 1, max: 60 })).toBe(5);
    for (const bad of ['0', '61', '-1', '1.5', '1e1', 'ten']) {
      expect(refusal(() => readInteger({ N: bad }, 'N', { fallback: 5, min: 1, max: 60 })).message).toContain(
        'N must be an integer from 1 to 60',
      );
    }
  });

  it('lists, choices and strings', () => {
    expect(readList({ L: ' a.example, ,*.b.example ,' }, 'L')).toEqual(['a.example', '*.b.example']);
    expect(readList({}, 'L')).toEqual([]);
    expect(readChoice({ C: 'sendgrid' }, 'C', ['generic', 'sendgrid'], 'generic')).toBe('sendgrid');
    expect(readChoice({}, 'C', ['generic', 'sendgrid'], 'generic')).toBe('generic');
    expect(refusal(() => readChoice({ C: 'other' }, 'C', ['generic', 'sendgrid'], 'generic')).message).toContain(
      'must be one of generic, sendgrid',
    );
    expect(readString({ S: '  x ' }, 'S')).toBe('x');
    expect(readString({ S: '' }, 'S')).toBeUndefined();
  });

  it('CA bundles: the file’s certificates (they replace the default trust), a missing or non-PEM file refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-ca-'));
    try {
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      writeFileSync(join(dir, 'ca.pem'), pem);
      writeFileSync(join(dir, 'not.pem'), 'hello');
      expect(readCaBundle({ CA: join(dir, 'ca.pem') }, 'CA')).toEqual([pem]);
      expect(readCaBundle({}, 'CA')).toBeUndefined();
      expect(refusal(() => readCaBundle({ CA: join(dir, 'missing.pem') }, 'CA')).message).toContain('cannot be read');
      expect(refusal(() => readCaBundle({ CA: join(dir, 'not.pem') }, 'CA')).message).toContain('must name a PEM file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

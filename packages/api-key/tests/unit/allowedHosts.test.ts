import { ConfigurationError } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { describeRules, isHostAllowed, parseAllowedHosts } from '../../src/allowedHosts.ts';

const allowed = (list: string, url: string) =>
  isHostAllowed(new URL(url), parseAllowedHosts(list, 'API_ALLOWED_HOSTS'));

describe('API_ALLOWED_HOSTS', () => {
  it('matches a host exactly, on port 443 unless the entry names a port', () => {
    expect(allowed('api.example.com', 'https://api.example.com/v1')).toBe(true);
    expect(allowed('API.Example.com', 'https://api.EXAMPLE.com:443/')).toBe(true);
    expect(allowed('api.example.com', 'https://api.example.com:8443/v1')).toBe(false);
    expect(allowed('api.example.com:8443', 'https://api.example.com:8443/v1')).toBe(true);
    expect(allowed('api.example.com:8443', 'https://api.example.com/v1')).toBe(false);
    expect(allowed('api.example.com', 'https://api.example.com.evil.test/')).toBe(false);
    expect(allowed('api.example.com', 'https://evilapi.example.com/')).toBe(false);
    expect(allowed('api.example.com', 'https://api.example.com./')).toBe(false);
    expect(allowed('127.0.0.1:4443', 'https://127.0.0.1:4443')).toBe(true);
    expect(allowed('127.0.0.1:4443', 'https://[::1]:4443')).toBe(false);
  });

  it('a wildcard matches any name below the domain, not the domain itself', () => {
    expect(allowed('*.example.com', 'https://api.example.com')).toBe(true);
    expect(allowed('*.example.com', 'https://eu.api.example.com')).toBe(true);
    expect(allowed('*.example.com', 'https://example.com')).toBe(false);
    expect(allowed('*.example.com', 'https://badexample.com')).toBe(false);
    expect(allowed('*.example.com', 'https://api.example.com:444')).toBe(false);
  });

  it('reads a comma-separated list and says it back', () => {
    const rules = parseAllowedHosts(' api.example.com , *.example.org:8443,', 'API_ALLOWED_HOSTS');
    expect(describeRules(rules)).toBe('api.example.com, *.example.org:8443');
  });

  it.each([
    'https://api.example.com',
    'api.example.com/v1',
    '*.com',
    '*',
    'api.example.com:0',
    'user@api.example.com',
    'api_example.com',
    '',
  ])('refuses %j, naming the variable', (entry) => {
    expect(() => parseAllowedHosts(entry, 'API_ALLOWED_HOSTS')).toThrow(ConfigurationError);
    try {
      parseAllowedHosts(entry, 'API_ALLOWED_HOSTS');
    } catch (error) {
      expect((error as ConfigurationError).variable).toBe('API_ALLOWED_HOSTS');
    }
  });
});

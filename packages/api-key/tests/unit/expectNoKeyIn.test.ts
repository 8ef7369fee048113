/** The leak check the other tests rely on must see a key wherever an error hides it. */
import { describe, expect, it } from 'vitest';
import { expectNoKeyIn } from '../helpers/harness.ts';

const key = 'sk_unit_not-a-real-key-0123456789';

describe('expectNoKeyIn', () => {
  it.each([
    [
      'a nested own property',
      () => Object.assign(new Error('boom'), { details: { request: { headers: { authorization: `Bearer ${key}` } } } }),
    ],
    [
      'a non-enumerable property',
      () => Object.defineProperty(new Error('boom'), 'hidden', { value: { key }, enumerable: false }),
    ],
    [
      'a nested value of a cause',
      () => new Error('outer', { cause: Object.assign(new Error('inner'), { response: { data: [{ key }] } }) }),
    ],
    [
      'a request config on a cause',
      () => new Error('outer', { cause: Object.assign(new Error('inner'), { config: { url: '/keys' } }) }),
    ],
  ])('fails when an error carries a key (or a config) in %s', (_where, make) => {
    expect(() => expectNoKeyIn(make(), [key])).toThrow(/carries a (key|request config)/);
  });

  it('passes a clean error chain', () => {
    expect(() => expectNoKeyIn(new Error('outer', { cause: new Error('inner') }), [key])).not.toThrow();
  });
});

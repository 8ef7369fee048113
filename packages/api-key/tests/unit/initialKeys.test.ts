/** Which keys API_REVOKE_INITIAL_KEY may revoke: never one this rotator made, for this secret or another. */
import { describe, expect, it } from 'vitest';
import { initialKeysDue } from '../../src/initialKeys.ts';
import { labelFor } from '../../src/labels.ts';
import type { ApiKeySecret } from '../../src/schema.ts';

const S = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf';
const T = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-GhIjKl';
const listed = [
  { id: 'kA', label: labelFor(S, '11111111-1111-1111-1111-111111111111') },
  { id: 'kB', label: labelFor(T, '22222222-2222-2222-2222-222222222222') },
  { id: 'kHuman', label: 'made by a person' },
  { id: 'kBootstrap', label: undefined },
];
const version = (ids: Partial<ApiKeySecret>): ApiKeySecret => ({
  apiKey: 'k',
  keyId: 'kA',
  baseUrl: 'https://api.example/v1',
  ...ids,
});

describe('initial keys due for revocation', () => {
  it('an unlabelled key the versions name is due; a key the rotator made for another secret never is', () => {
    // A writer of S names T's key: T's live key must not be revoked by S's rotation (review finding).
    expect(
      initialKeysDue(
        version({ previousKeyId: 'kBootstrap', initialKeyIds: ['kB', 'kHuman'] }),
        listed,
        new Set(['kA']),
      ),
    ).toEqual(['kHuman', 'kBootstrap']);
  });

  it('nor one it made for this secret, nor one kept, nor one no longer listed', () => {
    expect(
      initialKeysDue(version({ previousKeyId: 'kA', initialKeyIds: ['kGone', 'kHuman'] }), listed, new Set(['kHuman'])),
    ).toEqual([]);
  });
});

/** The secret's JSON: the key, its id, and where the provider's key API lives. Unknown fields are kept. */
import * as z from 'zod/mini';
import { adapterSettingsShape } from './adapters/settings.ts';
import { PROVIDERS } from './adapters/registry.ts';
import type { ApiKeyConfig } from './config.ts';

// C0, DEL and C1. Node or axios would drop or reject some of them in a header, and the URL parser
// silently removes tabs and newlines: the value used would not be the value stored.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Longer than any key a provider issues, well under the header limits of HTTP servers (8 KB and up). */
export const MAX_API_KEY_LENGTH = 4096;

/** https only, no credentials, query or fragment: the key must never travel in a URL or in plaintext. */
const baseUrl = z.string({ error: 'must be a string' }).check(
  z.refine((value) => !CONTROL.test(value), { error: 'must not contain control characters' }),
  z.refine(
    (value) => {
      try {
        const url = new URL(value);
        return (
          url.protocol === 'https:' &&
          !url.username &&
          !url.password &&
          !url.search &&
          !url.hash &&
          value.trim() === value
        );
      } catch {
        return false;
      }
    },
    { error: 'must be an https:// URL without credentials, query or fragment' },
  ),
);

/** A provider's id of a key: it goes into a path (URL-encoded) and into log lines. */
const keyId = z.string({ error: 'must be a string' }).check(
  z.minLength(1, { error: 'must not be empty' }),
  z.refine((value) => !CONTROL.test(value), { error: 'must not contain control characters' }),
);

export const apiKeySecret = z.looseObject({
  /** Travels only in the auth header, after the scheme and a space: visible ASCII only. */
  apiKey: z.string({ error: 'must be a string' }).check(
    z.minLength(1, { error: 'must not be empty' }),
    // HTTP servers refuse headers past a few KB (431); a longer value is no key any provider issues.
    z.maxLength(MAX_API_KEY_LENGTH, { error: `must be at most ${MAX_API_KEY_LENGTH} characters` }),
    z.regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII, without spaces or control characters' }),
  ),
  keyId,
  baseUrl,
  /** Adapter name; absent = the function's API_PROVIDER. */
  provider: z.optional(
    z.enum(Object.keys(PROVIDERS) as [string, ...string[]], {
      error: `must be one of ${Object.keys(PROVIDERS).join(', ')}`,
    }),
  ),
  /** Adapter settings for this secret; used only with API_SECRET_SETTINGS=true (rotatorSchema). */
  api: z.optional(z.partial(z.strictObject(adapterSettingsShape))),
  /** Id of the key AWSPREVIOUS holds; written by this rotator, so it knows which keys to keep. */
  previousKeyId: z.optional(keyId),
  /**
   * With API_REVOKE_INITIAL_KEY: keys this rotator did not make (the one the secret held before its
   * first rotation) that are due for revocation, carried from version to version until the
   * provider no longer lists them, so a revocation that failed is retried. Written by this rotator.
   */
  initialKeyIds: z.optional(z.array(keyId, { error: 'must be an array of key ids' })),
});
export type ApiKeySecret = z.infer<typeof apiKeySecret>;

/**
 * The schema the rotator parses every version with. Unless the operator set API_SECRET_SETTINGS,
 * a secret may not choose how the rotator talks to the provider (`api`, or a `provider` other than
 * API_PROVIDER): those decide the paths, the header the key is sent in and the fields copied into
 * the secret, and whoever can write the secret could set them. Refused, not ignored, so a secret
 * written for other settings fails loudly, naming the field, before anything is sent.
 */
export function rotatorSchema(config: Pick<ApiKeyConfig, 'secretSettings' | 'provider'>) {
  if (config.secretSettings) return apiKeySecret;
  return apiKeySecret.check(
    z.superRefine((secret, ctx) => {
      if (secret.api !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['api'],
          message:
            "per-secret adapter settings are not used: the function's environment " +
            '(API_* variables) sets them unless API_SECRET_SETTINGS=true',
        });
      }
      if (secret.provider !== undefined && secret.provider !== config.provider) {
        ctx.addIssue({
          code: 'custom',
          path: ['provider'],
          message: `must be absent or "${config.provider}" (API_PROVIDER) unless API_SECRET_SETTINGS=true`,
        });
      }
    }),
  );
}

/** "https://api.example.com/v1/" and "https://api.example.com/v1" are the same provider. */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

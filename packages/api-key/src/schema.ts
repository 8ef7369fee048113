/** The secret's JSON: the key, its id, and where the provider's key API lives. Unknown fields are kept. */
import { z } from 'zod';
import { adapterSettingsShape } from './adapters/settings.ts';
import { PROVIDERS } from './adapters/registry.ts';

/** https only, no credentials, query or fragment: the key must never travel in a URL or in plaintext. */
const baseUrl = z
  .string({ error: 'must be a string' })
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && !url.username && !url.password && !url.search && !url.hash && value.trim() === value;
      } catch {
        return false;
      }
    },
    { error: 'must be an https:// URL without credentials, query or fragment' },
  );

export const apiKeySecret = z.looseObject({
  apiKey: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  keyId: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  baseUrl,
  /** Adapter name; absent = the function's API_PROVIDER. */
  provider: z.enum(Object.keys(PROVIDERS) as [string, ...string[]], { error: `must be one of ${Object.keys(PROVIDERS).join(', ')}` }).optional(),
  /** Non-sensitive adapter settings for this secret (override the environment). */
  api: z.strictObject(adapterSettingsShape).partial().optional(),
  /** Id of the key AWSPREVIOUS holds; written by this rotator, so it knows which keys to keep. */
  previousKeyId: z.string().min(1).optional(),
});
export type ApiKeySecret = z.infer<typeof apiKeySecret>;

/** "https://api.example.com/v1/" and "https://api.example.com/v1" are the same provider. */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

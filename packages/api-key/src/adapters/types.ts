/**
 * What the rotator needs from a provider's key API. A named adapter is a small file: a preset of
 * the generic adapter's settings, plus code only where the service differs from plain REST.
 */
import type { RotationErrorContext } from '@rotators/core';
import type { ApiAuth, KeyApiHttp } from '../http/client.ts';
import type { AdapterSettings } from './settings.ts';

export interface CreatedKey {
  id: string;
  key: string;
}

export interface ListedKey {
  id: string;
  label?: string;
  /** Present only when the provider shows key values after creation. */
  key?: string;
}

export interface KeyProviderAdapter {
  /**
   * Create a key with this label; never retried on timeout (see retryPolicy.ts). `extraBody` holds
   * other fields of the create request (a named adapter's, e.g. SendGrid's scopes).
   */
  createKey(auth: ApiAuth, label: string, extraBody?: Record<string, unknown>): Promise<CreatedKey>;
  /** An authenticated call with `key`; throws KeyApiError when the provider refuses it. */
  testKey(key: ApiAuth): Promise<void>;
  listKeys(auth: ApiAuth): Promise<ListedKey[]>;
  /** Revoke by id; a 404 answers 'already-gone' (revokeAll then checks the list: a key still listed failed). */
  revokeKey(auth: ApiAuth, id: string): Promise<'revoked' | 'already-gone'>;
}

export interface AdapterContext {
  settings: AdapterSettings;
  http: KeyApiHttp;
  errorContext: RotationErrorContext;
  /** Normalized base URL (no trailing slash): next-page links must stay below it. */
  baseUrl: string;
  /** Most pages of one key list (API_MAX_PAGES). */
  maxPages: number;
}

export interface ProviderDefinition {
  /**
   * Settings that differ from GENERIC_DEFAULTS; the environment (and with API_SECRET_SETTINGS the secret)
   * override them.
   */
  preset: Partial<AdapterSettings>;
  /** The service's own API hosts, allowed when API_ALLOWED_HOSTS is unset; none for the generic adapter. */
  hosts?: readonly string[];
  create(context: AdapterContext): KeyProviderAdapter;
}

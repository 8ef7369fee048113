/** The generic HTTP adapter: any key API that is plain REST, described by AdapterSettings. */
import { KeyApiError } from '../errors.ts';
import type { KeyApiCall } from '../http/client.ts';
import { objectAt, readPath } from '../jsonPath.ts';
import { readAllPages } from './pages.ts';
import type { AdapterContext, KeyProviderAdapter, ListedKey, ProviderDefinition } from './types.ts';

export function createGenericAdapter(context: AdapterContext): KeyProviderAdapter {
  const { settings, http, errorContext } = context;
  const keyPath = (id: string) => settings.keyPath.replace('{id}', encodeURIComponent(id));

  /** A required string in a response; the error names the setting and path, never the value. */
  const requireString = (
    item: unknown,
    field: string,
    setting: string,
    call: Pick<KeyApiCall, 'method' | 'path'>,
  ): string => {
    const value = readPath(item, field);
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && setting !== 'keyField') return String(value);
    throw new KeyApiError(
      'invalid-response',
      call.method,
      call.path,
      undefined,
      `answered without a string at "${field || '(root)'}"; check ${setting}`,
      errorContext,
    );
  };

  const listKeys: KeyProviderAdapter['listKeys'] = async (auth) => {
    const call = { method: 'GET', path: settings.keysPath } as const;
    const items = await readAllPages(context, auth, settings.keysPath);
    return items.map((item): ListedKey => {
      const label = readPath(item, settings.labelField);
      const key = readPath(item, settings.keyField);
      return {
        id: requireString(item, settings.idField, 'idField', call),
        label: typeof label === 'string' ? label : undefined,
        key: typeof key === 'string' && key !== '' ? key : undefined,
      };
    });
  };

  return {
    listKeys,
    async createKey(auth, label, extraBody = {}) {
      const call = { method: settings.createMethod, path: settings.keysPath } as const;
      const body = { ...extraBody, ...objectAt(settings.labelField, label) };
      const { data } = await http.call({ ...call, auth, data: body, idempotent: false });
      const item = readPath(data, settings.createdItemField);
      return {
        id: requireString(item, settings.idField, 'idField', call),
        key: requireString(item, settings.keyField, 'keyField', call),
      };
    },
    async testKey(auth) {
      await http.call({
        method: settings.testMethod,
        path: settings.testPath,
        auth,
        idempotent: settings.testMethod !== 'POST',
      });
    },
    async revokeKey(auth, id) {
      try {
        // Revoking twice has the effect of revoking once, whatever the method: safe to retry.
        await http.call({ method: settings.revokeMethod, path: keyPath(id), auth, idempotent: true });
        return 'revoked';
      } catch (error) {
        if (error instanceof KeyApiError && error.status === 404) return 'already-gone';
        throw error;
      }
    },
  };
}

export const genericProvider: ProviderDefinition = { preset: {}, create: createGenericAdapter };

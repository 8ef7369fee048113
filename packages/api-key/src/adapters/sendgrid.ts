/**
 * SendGrid (v3 API keys API): POST/GET /v3/api_keys, DELETE /v3/api_keys/{api_key_id}, Bearer auth.
 * SendGrid shows a key's value once, at creation. A key created without `scopes` gets full access,
 * so the new key is given the scopes of the current one (GET /v3/scopes), never more.
 */
import { KeyApiError } from '../errors.ts';
import { createGenericAdapter } from './generic.ts';
import type { ProviderDefinition } from './types.ts';

export const sendgridProvider: ProviderDefinition = {
  preset: {
    keysPath: '/v3/api_keys',
    keyPath: '/v3/api_keys/{id}',
    testPath: '/v3/scopes',
    labelField: 'name',
    idField: 'api_key_id',
    keyField: 'api_key',
    listItemsField: 'result',
  },
  create(context) {
    const generic = createGenericAdapter(context);
    const { http, settings, errorContext } = context;
    return {
      ...generic,
      async createKey(auth, label) {
        const { data: scoped } = await http.call({ method: 'GET', path: settings.testPath, auth, idempotent: true });
        const scopes = (scoped as { scopes?: unknown })?.scopes;
        if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
          throw new KeyApiError('invalid-response', 'GET', settings.testPath, undefined, 'answered without a "scopes" array of strings', errorContext);
        }
        const { data } = await http.call({ method: 'POST', path: settings.keysPath, auth, data: { name: label, scopes }, idempotent: false });
        const id = (data as Record<string, unknown>)?.api_key_id;
        const key = (data as Record<string, unknown>)?.api_key;
        if (typeof id !== 'string' || typeof key !== 'string' || !id || !key) {
          throw new KeyApiError('invalid-response', 'POST', settings.keysPath, undefined, 'answered without "api_key_id" and "api_key" strings', errorContext);
        }
        return { id, key };
      },
    };
  },
};

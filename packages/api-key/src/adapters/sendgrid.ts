/**
 * SendGrid (v3 API keys API): POST/GET /v3/api_keys, DELETE /v3/api_keys/{api_key_id}, Bearer auth.
 * SendGrid shows a key's value once, at creation. A key created without `scopes` gets full access,
 * so the new key is given the scopes of the current one (GET /v3/scopes), never more.
 */
import { KeyApiError } from '../errors.ts';
import { createGenericAdapter } from './generic.ts';
import type { ProviderDefinition } from './types.ts';

/** Fixed, not `testPath`: a secret may test with another call, but the scopes are only here. */
const SCOPES_PATH = '/v3/scopes';

export const sendgridProvider: ProviderDefinition = {
  // Global, and EU regional subusers (as SendGrid's API reference lists them).
  hosts: ['api.sendgrid.com', 'api.eu.sendgrid.com'],
  preset: {
    keysPath: '/v3/api_keys',
    keyPath: '/v3/api_keys/{id}',
    testPath: SCOPES_PATH,
    labelField: 'name',
    idField: 'api_key_id',
    keyField: 'api_key',
    listItemsField: 'result',
    // SendGrid documents `limit` on this list, and an account holds at most 100 keys; its other
    // lists point at the next page in `_metadata.next`, which is followed should this one do so.
    pageSizeParam: 'limit',
    pageSize: 100,
    nextPage: 'url:_metadata.next',
  },
  create(context) {
    const generic = createGenericAdapter(context);
    const { http, errorContext } = context;
    return {
      ...generic,
      async createKey(auth, label) {
        const { data } = await http.call({ method: 'GET', path: SCOPES_PATH, auth, idempotent: true });
        const scopes = (data as { scopes?: unknown })?.scopes;
        if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
          throw new KeyApiError(
            'invalid-response',
            'GET',
            SCOPES_PATH,
            undefined,
            'answered without a "scopes" array of strings',
            errorContext,
          );
        }
        return generic.createKey(auth, label, { scopes });
      },
    };
  },
};

/**
 * What the generic HTTP adapter needs to know about a plain-REST key API: paths, methods, the auth
 * header, and where id, key and label sit in the JSON. Each setting comes from the secret's `api`
 * object, else the function's environment, else the provider's preset, else the default below.
 */
import * as z from 'zod/mini';

const PATH = /^\/[A-Za-z0-9\-._~%/{}:@]*$/;
const path = z.string().check(z.regex(PATH, { error: 'must be a path starting with "/" (no query, no fragment)' }));
const keyPath = z.string().check(
  z.regex(PATH, { error: 'must be a path starting with "/" (no query, no fragment)' }),
  z.refine((p) => p.includes('{id}'), { error: 'must contain {id}' }),
);
/** Dotted path into a JSON value, e.g. "data.attributes.key"; empty = the value itself. */
const fieldPath = z
  .string()
  .check(z.regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, { error: 'must be a dotted field path like "data.id"' }));
const headerName = z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'must be an HTTP header name' }));
const authScheme = z
  .string()
  .check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/, { error: 'must be a single word such as Bearer, or empty' }));
/** A query parameter name, e.g. limit, per_page, page[size]; empty for none. */
const QUERY_PARAM = '[A-Za-z0-9_.\\-\\[\\]]+';
const queryParam = z
  .string()
  .check(
    z.regex(new RegExp(`^(${QUERY_PARAM})?$`), { error: 'must be a query parameter name like "limit", or empty' }),
  );
const FIELD_PATH = '[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*';
/** See adapters/pages.ts: none, link, url:<field path>, cursor:<field path>:<query parameter>. */
const nextPage = z.string().check(
  z.regex(new RegExp(`^(none|link|url:${FIELD_PATH}|cursor:${FIELD_PATH}:${QUERY_PARAM})$`), {
    error: 'must be none, link, url:<field path> or cursor:<field path>:<query parameter>',
  }),
);
const pageSize = z.pipe(
  z.union([
    z.number(),
    z.pipe(z.string().check(z.regex(/^\d{1,4}$/, { error: 'must be a whole number' })), z.transform(Number)),
  ]),
  z.int().check(z.gte(1, { error: 'must be from 1 to 1000' }), z.lte(1000, { error: 'must be from 1 to 1000' })),
);

export const adapterSettingsShape = {
  /** List keys (GET) and create one (createMethod). */
  keysPath: path,
  /** One key, for revocation; `{id}` is replaced by the URL-encoded key id. */
  keyPath,
  /** A cheap authenticated call that succeeds when the key works. */
  testPath: path,
  testMethod: z.enum(['GET', 'HEAD', 'POST']),
  createMethod: z.enum(['POST', 'PUT']),
  revokeMethod: z.enum(['DELETE', 'POST']),
  /** Header that carries the key, e.g. Authorization or X-Api-Key. */
  authHeader: headerName,
  /** Word before the key in the header ("Bearer"); empty sends the key alone. */
  authScheme,
  /** Field of the create body that carries the label, and of a key object that holds it. */
  labelField: fieldPath,
  idField: fieldPath,
  keyField: fieldPath,
  /** Where the array of keys sits in the list response ("" = the response is the array). */
  listItemsField: fieldPath,
  /** Where the new key object sits in the create response ("" = the response itself). */
  createdItemField: fieldPath,
  /** Query parameter that asks for a page size on the list call ("" = none). */
  pageSizeParam: queryParam,
  /** The page size asked for with pageSizeParam. */
  pageSize,
  /** Where a list answer points at its next page (adapters/pages.ts). */
  nextPage,
};

export const adapterSettingsSchema = z.strictObject(adapterSettingsShape);
export type AdapterSettings = z.infer<typeof adapterSettingsSchema>;
export type AdapterSettingName = keyof AdapterSettings;

/** The generic adapter's defaults: the shape of the test kit's fake API and of many real ones. */
export const GENERIC_DEFAULTS: AdapterSettings = {
  keysPath: '/keys',
  keyPath: '/keys/{id}',
  testPath: '/whoami',
  testMethod: 'GET',
  createMethod: 'POST',
  revokeMethod: 'DELETE',
  authHeader: 'Authorization',
  authScheme: 'Bearer',
  labelField: 'label',
  idField: 'id',
  keyField: 'key',
  listItemsField: '',
  createdItemField: '',
  pageSizeParam: '',
  pageSize: 100,
  nextPage: 'none',
};

/** Environment variable for each setting. */
export const SETTING_VARIABLES: Record<AdapterSettingName, string> = {
  keysPath: 'API_KEYS_PATH',
  keyPath: 'API_KEY_PATH',
  testPath: 'API_TEST_PATH',
  testMethod: 'API_TEST_METHOD',
  createMethod: 'API_CREATE_METHOD',
  revokeMethod: 'API_REVOKE_METHOD',
  authHeader: 'API_AUTH_HEADER',
  authScheme: 'API_AUTH_SCHEME',
  labelField: 'API_LABEL_FIELD',
  idField: 'API_ID_FIELD',
  keyField: 'API_KEY_FIELD',
  listItemsField: 'API_LIST_ITEMS_FIELD',
  createdItemField: 'API_CREATED_ITEM_FIELD',
  pageSizeParam: 'API_PAGE_SIZE_PARAM',
  pageSize: 'API_PAGE_SIZE',
  nextPage: 'API_NEXT_PAGE',
};

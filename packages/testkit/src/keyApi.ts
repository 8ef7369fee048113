/** The fake SaaS key API for tests (see keyApi/server.ts). */
export { startKeyApi, type KeyApiOptions, type KeyApiRequest, type KeyApiServer } from './keyApi/server.ts';
export { keyStatus } from './keyApi/keyStatus.ts';
export type { FaultRule, KeyApiFault } from './keyApi/faults.ts';
export type { AccountOptions, KeyRecord } from './keyApi/store.ts';
export type { ListPages } from './keyApi/pages.ts';

import { createRotationHandler } from '@rotators/core';
import { createPostgresSingleUserRotator } from './rotator.ts';

export {
  connectWithPg,
  POSTGRES_AUTHENTICATION_CODES,
  POSTGRES_WRONG_PASSWORD_CODE,
  type PostgresConnect,
  type PostgresSession,
} from './connect.ts';
export {
  createPostgresSingleUserRotator,
  POSTGRES_EXCLUDE_CHARACTERS,
  type PostgresSingleUserOptions,
} from './rotator.ts';
export { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES, postgresSecret, type PostgresSecret } from './schema.ts';
// Moved to @rotators/core/db (shared with postgres-alternating-users); re-exported for existing importers.
export {
  MIN_SERVER_VERSION_NUM,
  planVerifier,
  SCRAM_ITERATIONS,
  SCRAM_SALT_BYTES,
  SERVER_FACTS_QUERY,
  scramSha256Verifier,
  type VerifierPlan,
} from '@rotators/core/db';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(createPostgresSingleUserRotator());

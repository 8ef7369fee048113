import { createRotationHandler } from '@rotators/core';
import { createPostgresAlternatingUsersRotator } from './rotator.ts';

export {
  createPostgresAlternatingUsersRotator,
  POSTGRES_EXCLUDE_CHARACTERS,
  type PostgresAlternatingUsersOptions,
} from './rotator.ts';
export { connectWithPg, POSTGRES_AUTHENTICATION_CODES, type PostgresConnect, type PostgresSession } from './connect.ts';
export {
  type MasterSecret,
  masterSecret,
  MAX_ROLE_NAME_BYTES,
  type PostgresAlternatingSecret,
  postgresAlternatingSecret,
} from './schema.ts';
export { MAX_BASE_NAME_BYTES, UsernameTooLongError } from './names.ts';
export { OwnedObjectsError } from './ownedObjects.ts';
export { marker } from './markers.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(createPostgresAlternatingUsersRotator());

import { createRotationHandler } from '@rotators/core';
import { createPostgresSingleUserRotator } from './rotator.ts';

export { connectWithPg, POSTGRES_AUTHENTICATION_CODES, POSTGRES_WRONG_PASSWORD_CODE, type PostgresConnect, type PostgresSession } from './connect.ts';
export { createPostgresSingleUserRotator, POSTGRES_EXCLUDE_CHARACTERS, type PostgresSingleUserOptions } from './rotator.ts';
export { DEFAULT_DATABASE, DEFAULT_PORT, MAX_ROLE_NAME_BYTES, postgresSecret, type PostgresSecret } from './schema.ts';
export { MIN_SERVER_VERSION_NUM, planVerifier, SERVER_FACTS_QUERY, type VerifierPlan } from './serverFacts.ts';
export { scramSha256Verifier, SCRAM_ITERATIONS, SCRAM_SALT_BYTES } from './scram.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(createPostgresSingleUserRotator());

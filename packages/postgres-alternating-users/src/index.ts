import { createRotationHandler } from '@rotators/core';
import { createPostgresAlternatingUsersRotator } from './rotator.ts';

export { postgresAlternatingUsersSecret, createPostgresAlternatingUsersRotator, type PostgresAlternatingUsersSecret, type PostgresAlternatingUsersTarget } from './rotator.ts';

/** The Lambda entry point (`index.handler` in the zip). */
export const handler = createRotationHandler(createPostgresAlternatingUsersRotator());

import { createRotationHandler } from '@rotators/core';
import { createMysqlAlternatingUsersRotator } from './rotator.ts';

export { createMysqlAlternatingUsersRotator, type MysqlAlternatingUsersOptions } from './rotator.ts';
export { type MasterSecret, masterSecretSchema, type MysqlSecret, mysqlSecretSchema } from './schema.ts';
export { AUTHENTICATION_CODES, type ConnectFunction, defaultConnect } from './connect.ts';
export { UsernameTooLongError } from './usernames.ts';
export { MasterRightsError } from './masterRights.ts';
export { PasswordValidationPluginError } from './passwords.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(createMysqlAlternatingUsersRotator());

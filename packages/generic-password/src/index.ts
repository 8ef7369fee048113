import { createRotationHandler } from '@rotators/core';
import { genericPasswordRotator } from './rotator.ts';

export { genericPasswordRotator } from './rotator.ts';
export { genericPasswordSecret, type GenericPasswordSecret } from './schema.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(genericPasswordRotator);

import { createRotationHandler } from '@rotators/core';
import { genericPasswordRotator } from './rotator.ts';

export { genericPasswordRotator, genericPasswordSecret, type GenericPasswordSecret } from './rotator.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(genericPasswordRotator);

/**
 * Schemas for secret values and events are zod's. Our own code uses zod's mini build (`zod/mini`):
 * the same validators and messages as the classic API, as functions that the bundler can drop when
 * unused, where the classic build put ~440 KB into every zip (issue 13). Any zod 4 schema, classic
 * or mini, fits the contract: it is typed by zod's core interface and parsed with `z.safeParse`.
 *
 * The English messages are registered once here: our schemas give their own message for every
 * rule, and the locale covers what they leave out (e.g. an unexpected type inside a union).
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { $ZodType, util } from 'zod/v4/core';

z.config(en());

/** A zod 4 schema whose output is `T`. */
export type SecretSchema<T> = $ZodType<T>;

export function safeParseWith<T>(schema: SecretSchema<T>, value: unknown): util.SafeParseResult<T> {
  return z.safeParse(schema, value) as util.SafeParseResult<T>;
}

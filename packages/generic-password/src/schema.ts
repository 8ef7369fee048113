import * as z from 'zod/mini';

/** `password` is replaced at each rotation; every other field is kept as it is. */
export const genericPasswordSecret = z.looseObject({
  password: z.string({ error: 'must be a string' }),
});
export type GenericPasswordSecret = z.infer<typeof genericPasswordSecret>;

/** Named adapters. Adding a service: a file like sendgrid.ts and one line here. */
import { genericProvider } from './generic.ts';
import { sendgridProvider } from './sendgrid.ts';
import type { ProviderDefinition } from './types.ts';

export const PROVIDERS = {
  generic: genericProvider,
  sendgrid: sendgridProvider,
} satisfies Record<string, ProviderDefinition>;

export type ProviderName = keyof typeof PROVIDERS;

/** The moto server that globalSetup started for this test project, and a client for it. */
import { inject } from 'vitest';
import { secretsManagerClient } from '../aws.ts';
import './globalSetup.ts';

export function motoEndpoint(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint)
    throw new Error(
      'motoEndpoint was not provided: add @rotators/testkit/vitest/globalSetup to the project globalSetup',
    );
  return endpoint;
}

export function localSecretsManager() {
  return secretsManagerClient(motoEndpoint());
}

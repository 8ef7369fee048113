/**
 * Labels of the keys this rotator creates: `rotators:<secret>:<ClientRequestToken>`, where <secret>
 * is a short hash of the secret's ARN. The token makes createSecret idempotent (a retry finds its
 * key); the secret part scopes clean-up, so two secrets rotating keys of one account never revoke
 * each other's keys, and keys made by people or other tools are never touched.
 */
import { createHash } from 'node:crypto';

const PREFIX = 'rotators';

function secretTag(secretArn: string): string {
  return createHash('sha256').update(secretArn).digest('hex').slice(0, 12);
}

export function labelFor(secretArn: string, token: string): string {
  return `${PREFIX}:${secretTag(secretArn)}:${token}`;
}

export function isCreatedForSecret(label: string | undefined, secretArn: string): boolean {
  return label?.startsWith(`${PREFIX}:${secretTag(secretArn)}:`) === true;
}

/** Made by this rotator for any secret: never an "initial" key, whoever's versions name it. */
export function isCreatedByRotator(label: string | undefined): boolean {
  return label?.startsWith(`${PREFIX}:`) === true;
}

/**
 * The state of the fake SaaS key API: accounts and their keys. A key has a public id, a secret
 * value, a label, a creation time and a revocation time. Every secret minted here is handed to the
 * log-leak guard at once, so a test fails if any of them reaches a log line.
 */
import { randomBytes } from 'node:crypto';
import { rememberSecret } from '../logCapture.ts';
import type { ListPages } from './pages.ts';

export interface AccountOptions {
  /** Active keys an account may hold; creating one more answers 409. Default: the server's. */
  maxActiveKeys?: number;
  /**
   * Whether listing keys returns their secret values (some APIs do, e.g. Datadog's). Default false:
   * the value is shown once, at creation, as SendGrid and most others do.
   */
  revealKeysOnList?: boolean;
  /** Scopes of the bootstrap key (SendGrid dialect). Default: all of them. */
  bootstrapScopes?: string[];
  /** Serve key lists in pages (see keyApi/pages.ts). Default: one answer with every key. */
  listPages?: ListPages;
}

export interface StoredKey {
  id: string;
  accountId: string;
  label: string;
  /** Permissions (the SendGrid dialect's scopes); bootstrap keys have all of them. */
  scopes: string[];
  created: Date;
  revoked?: Date;
}

/** What inspection returns: never the secret value. */
export type KeyRecord = Readonly<StoredKey>;

export const ALL_SCOPES = ['api_keys.create', 'api_keys.delete', 'api_keys.read', 'mail.send'] as const;

interface Account {
  id: string;
  maxActiveKeys: number;
  revealKeysOnList: boolean;
  listPages?: ListPages;
}

export class KeyStore {
  private readonly accounts = new Map<string, Account>();
  private readonly keys: Array<StoredKey & { secret: string }> = [];

  constructor(private readonly defaultMaxActiveKeys: number) {}

  createAccount(options: AccountOptions = {}): { accountId: string; keyId: string; key: string } {
    const account: Account = {
      id: `acct_${randomBytes(4).toString('hex')}`,
      maxActiveKeys: options.maxActiveKeys ?? this.defaultMaxActiveKeys,
      revealKeysOnList: options.revealKeysOnList ?? false,
      listPages: options.listPages,
    };
    this.accounts.set(account.id, account);
    const { id, secret } = this.mint(account.id, 'bootstrap', options.bootstrapScopes ?? [...ALL_SCOPES]);
    return { accountId: account.id, keyId: id, key: secret };
  }

  /** The active key with this secret value, if any. */
  authenticate(secret: string): (StoredKey & { secret: string }) | undefined {
    return this.keys.find((k) => k.secret === secret && !k.revoked);
  }

  active(accountId: string): Array<StoredKey & { secret: string }> {
    return this.keys.filter((k) => k.accountId === accountId && !k.revoked);
  }

  reveals(accountId: string): boolean {
    return this.accounts.get(accountId)?.revealKeysOnList ?? false;
  }

  listPages(accountId: string): ListPages | undefined {
    return this.accounts.get(accountId)?.listPages;
  }

  setListPages(accountId: string, listPages: ListPages | undefined): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    account.listPages = listPages;
  }

  /** Create a key, or undefined when the account is at its active-key limit. */
  create(
    accountId: string,
    label: string,
    scopes: string[] = [...ALL_SCOPES],
  ): (StoredKey & { secret: string }) | undefined {
    const account = this.accounts.get(accountId);
    if (!account || this.active(accountId).length >= account.maxActiveKeys) return undefined;
    return this.mint(accountId, label, scopes);
  }

  /** Revoke an active key of the account; false when there is none with this id. */
  revoke(accountId: string, id: string): boolean {
    const key = this.keys.find((k) => k.id === id && k.accountId === accountId && !k.revoked);
    if (!key) return false;
    key.revoked = new Date();
    return true;
  }

  /** Every key of the account, revoked ones included, without secret values. */
  inspect(accountId: string): KeyRecord[] {
    return this.keys.filter((k) => k.accountId === accountId).map(({ secret: _secret, ...record }) => ({ ...record }));
  }

  private mint(accountId: string, label: string, scopes: string[]): StoredKey & { secret: string } {
    const key = {
      id: `key_${randomBytes(6).toString('hex')}`,
      accountId,
      label,
      scopes,
      created: new Date(),
      secret: `sk_test_${randomBytes(24).toString('base64url')}`,
    };
    rememberSecret(key.secret);
    this.keys.push(key);
    return key;
  }
}

/**
 * Where the rotator may send a key: API_ALLOWED_HOSTS, else the preset provider's own hosts. A
 * secret's `baseUrl` is chosen by whoever can write the secret; without this list they could make
 * the function send its key to, or read responses from, any host it can reach (SSRF).
 *
 * An entry is a host name or IPv4 address, or `*.example.com` (any name below example.com, not
 * example.com itself), optionally with `:port`. Without a port only 443 matches, so a writer
 * cannot pick another service on an allowed host.
 */
import { ConfigurationError } from '@rotators/core';

export interface HostRule {
  /** Lower case, without the `*.` of a wildcard. */
  host: string;
  wildcard: boolean;
  port: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ENTRY = new RegExp(`^(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}))?$`);
const HTTPS_PORT = 443;

export function parseAllowedHosts(raw: string, variable: string): HostRule[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new ConfigurationError(variable, `Environment variable ${variable} names no host`);
  return entries.map((entry) => {
    const match = ENTRY.exec(entry);
    const port = match?.[3] === undefined ? HTTPS_PORT : Number(match[3]);
    // "*.com" would allow half the internet: a wildcard needs at least two labels below it.
    const tooBroad = match?.[1] !== undefined && !match[2]!.includes('.');
    if (!match || tooBroad || port < 1 || port > 65535) {
      throw new ConfigurationError(
        variable,
        `Environment variable ${variable} has an entry that is not a ` +
          `host name, "*.domain" or either with ":port" (got "${entry}")`,
      );
    }
    return { host: match[2]!, wildcard: match[1] !== undefined, port };
  });
}

/** Whether an https URL's host and port are allowed. IPv6 literals never match (no entry can name one). */
export function isHostAllowed(url: URL, rules: readonly HostRule[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port === '' ? HTTPS_PORT : Number(url.port);
  return rules.some(
    (rule) => rule.port === port && (rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host),
  );
}

export function describeRules(rules: readonly HostRule[]): string {
  return rules.map((r) => `${r.wildcard ? '*.' : ''}${r.host}${r.port === HTTPS_PORT ? '' : `:${r.port}`}`).join(', ');
}

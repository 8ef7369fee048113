/**
 * The hostile-input table. Each case names the field the typed error must name, the step invoked,
 * and how the input is made hostile: the event, AWSCURRENT as stored (`current`), an AWSPENDING
 * planted under the token as anyone with PutSecretValue could (`pending`), or a master secret. The
 * runner (hostile.ts) expects a typed error naming the field and counts every write.
 *
 * Cases apply by target kind and strategy, so a new rotator of a known kind gets its rows.
 */
import type { Step } from '../rotationService.ts';
import type { Strategy, TargetKind } from './types.ts';

export type HostileGroup = 'event' | 'secret JSON' | 'versions disagree' | 'injection' | 'over-long' | 'master secret';

type Json = Record<string, unknown>;

export interface HostileHelpers {
  /** Store another secret (a master secret, a value of another account); its ARN. */
  store(value: Json | string): Promise<string>;
  /** The parsed AWSCURRENT of another secret (e.g. the fixture's master secret). */
  read(secretId: string): Promise<Json>;
  /** A working credential of another account on the same target (key API), when the fixture has one. */
  foreign?(): Promise<Json>;
}

export interface HostileCase {
  name: string;
  group: HostileGroup;
  /** The field the error must name (any of these). */
  field: string | string[];
  step: Step;
  applies(kind: TargetKind, strategy: Strategy): boolean;
  /** AWSCURRENT as stored, from the value the fixture would store. */
  current?: (value: Json, helpers: HostileHelpers) => Json | string | Promise<Json | string>;
  /**
   * An AWSPENDING planted under the token: from `natural`, what createSecret would have put.
   * Without it, a case of a later step plants `natural` itself (unless `noPending`).
   */
  pending?: (natural: Json, current: Json, helpers: HostileHelpers) => Json | string | Promise<Json | string>;
  /** No AWSPENDING value at all (steps out of order). */
  noPending?: boolean;
  /** The event sent, from the one Secrets Manager would send. */
  event?: (
    event: { Step: Step; SecretId: string; ClientRequestToken: string },
    extra: { customVersionId: string },
  ) => unknown;
}

const all = () => true;
const kinds =
  (...wanted: TargetKind[]) =>
  (kind: TargetKind) =>
    wanted.includes(kind);
const db = kinds('postgres', 'mysql');
const alternating = (_: TargetKind, strategy: Strategy) => strategy === 'alternating users';
const pgAlternating = (kind: TargetKind, strategy: Strategy) => kind === 'postgres' && strategy === 'alternating users';

const MB = 'x'.repeat(1024 * 1024);
/** The first letter that has a Cyrillic twin replaced by it (а е о р с х у), else a zero-width space added. */
export function lookAlike(text: string): string {
  const twins: Record<string, string> = {
    a: '\u0430',
    e: '\u0435',
    o: '\u043e',
    p: '\u0440',
    c: '\u0441',
    x: '\u0445',
    y: '\u0443',
  };
  const at = [...text].findIndex((ch) => ch in twins);
  return at < 0 ? `${text}\u200b` : [...text].map((ch, i) => (i === at ? twins[ch] : ch)).join('');
}

type Row = Omit<HostileCase, 'group' | 'step' | 'applies'> & Partial<Pick<HostileCase, 'step' | 'applies'>>;

/** The same event for every rotator: the engine validates it before any call. */
const EVENT_ROWS: Row[] = [
  { name: 'event is a JSON array', field: 'event', event: () => [] },
  { name: 'Step missing', field: 'Step', event: ({ Step: _, ...rest }) => rest },
  { name: 'SecretId missing', field: 'SecretId', event: ({ SecretId: _, ...rest }) => rest },
  {
    name: 'ClientRequestToken missing',
    field: 'ClientRequestToken',
    event: ({ ClientRequestToken: _, ...rest }) => rest,
  },
  { name: 'Step is a number', field: 'Step', event: (e) => ({ ...e, Step: 1 }) },
  { name: 'wrong step "deleteSecret"', field: 'Step', event: (e) => ({ ...e, Step: 'deleteSecret' }) },
  { name: 'SecretId empty', field: 'SecretId', event: (e) => ({ ...e, SecretId: '' }) },
  {
    name: 'ClientRequestToken with a newline',
    field: 'ClientRequestToken',
    event: (e) => ({ ...e, ClientRequestToken: `${e.ClientRequestToken}\n` }),
  },
  {
    name: 'RotationToken is an object',
    field: 'RotationToken',
    event: (e) => ({ ...e, RotationToken: { forged: true } }),
  },
  {
    name: 'unknown token (a UUID no version has)',
    field: 'ClientRequestToken',
    event: (e) => ({ ...e, ClientRequestToken: '00000000-0000-4000-8000-000000000000' }),
  },
  {
    name: 'extra fields (__proto__, Step2) with an unknown token',
    field: 'ClientRequestToken',
    event: (e) =>
      JSON.parse(
        JSON.stringify({
          ...e,
          Step2: 'finishSecret',
          ClientRequestToken: '00000000-0000-4000-8000-000000000001',
        }).replace('{', '{"__proto__":{"polluted":true},'),
      ),
  },
  {
    name: 'token of a version that is not AWSPENDING',
    field: 'ClientRequestToken',
    event: (e, { customVersionId }) => ({ ...e, ClientRequestToken: customVersionId }),
  },
];
const EVENTS: HostileCase[] = EVENT_ROWS.map((c) => ({ ...c, group: 'event', step: 'createSecret', applies: all }));

/** Steps out of order: setSecret / finishSecret before createSecret put a value. */
const OUT_OF_ORDER: HostileCase[] = (['setSecret', 'finishSecret'] as const).map((step) => ({
  name: `${step} before createSecret (AWSPENDING has no value)`,
  group: 'event',
  field: 'AWSPENDING',
  step,
  noPending: true,
  applies: all,
}));

const SECRET_JSON_ROWS: Row[] = [
  { name: 'AWSCURRENT is not JSON', field: 'SecretString', current: () => '{"password": "unterminated', applies: all },
  { name: 'AWSCURRENT is a JSON array', field: 'SecretString', current: (v) => JSON.stringify([v]), applies: all },
  {
    name: 'AWSCURRENT is a JSON string',
    field: 'SecretString',
    current: () => JSON.stringify('just a string'),
    applies: all,
  },
  { name: 'AWSCURRENT is null', field: 'SecretString', current: () => 'null', applies: all },
  {
    name: 'password missing',
    field: 'password',
    current: ({ password: _, ...rest }) => rest,
    applies: kinds('none', 'postgres', 'mysql'),
  },
  {
    name: 'password is a number',
    field: 'password',
    current: (v) => ({ ...v, password: 12345678 }),
    applies: kinds('none', 'postgres', 'mysql'),
  },
  {
    name: 'password is an object',
    field: 'password',
    current: (v) => ({ ...v, password: { value: 'x' } }),
    applies: kinds('none', 'postgres', 'mysql'),
  },
  {
    name: 'engine of another database',
    field: 'engine',
    current: (v) => ({ ...v, engine: v.engine === 'postgres' ? 'mysql' : 'postgres' }),
    applies: db,
  },
  { name: 'host missing', field: 'host', current: ({ host: _, ...rest }) => rest, applies: db },
  { name: 'username missing', field: 'username', current: ({ username: _, ...rest }) => rest, applies: db },
  { name: 'username is a number', field: 'username', current: (v) => ({ ...v, username: 42 }), applies: db },
  { name: 'port is not a number', field: 'port', current: (v) => ({ ...v, port: 'fivefour' }), applies: db },
  { name: 'port out of range', field: 'port', current: (v) => ({ ...v, port: 70000 }), applies: db },
  { name: 'ssl is "maybe"', field: 'ssl', current: (v) => ({ ...v, ssl: 'maybe' }), applies: db },
  {
    name: 'username with a NUL byte',
    field: 'username',
    current: (v) => ({ ...v, username: `${v.username}\u0000x` }),
    applies: db,
  },
  { name: 'masterarn missing', field: 'masterarn', current: ({ masterarn: _, ...rest }) => rest, applies: alternating },
  { name: 'apiKey missing', field: 'apiKey', current: ({ apiKey: _, ...rest }) => rest, applies: kinds('key-api') },
  {
    name: 'apiKey with a space',
    field: 'apiKey',
    current: (v) => ({ ...v, apiKey: `${v.apiKey} x` }),
    applies: kinds('key-api'),
  },
  {
    name: 'keyId with a NUL byte',
    field: 'keyId',
    current: (v) => ({ ...v, keyId: `${v.keyId}\u0000` }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl over plain http',
    field: 'baseUrl',
    current: (v) => ({ ...v, baseUrl: String(v.baseUrl).replace('https:', 'http:') }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl with credentials',
    field: 'baseUrl',
    current: (v) => ({ ...v, baseUrl: String(v.baseUrl).replace('https://', 'https://user:pw@') }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl with a query',
    field: 'baseUrl',
    current: (v) => ({ ...v, baseUrl: `${v.baseUrl}/?key=1` }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl on a host not allowed',
    field: 'baseUrl',
    current: (v) => ({ ...v, baseUrl: 'https://attacker.example' }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl on a look-alike host (Cyrillic о in localhost)',
    field: 'baseUrl',
    current: (v) => ({ ...v, baseUrl: String(v.baseUrl).replace('127.0.0.1', 'l\u043ecalhost') }),
    applies: kinds('key-api'),
  },
  {
    name: 'provider other than API_PROVIDER',
    field: 'provider',
    current: (v) => ({ ...v, provider: 'sendgrid' }),
    applies: kinds('key-api'),
  },
  {
    name: 'per-secret api settings',
    field: 'api',
    current: (v) => ({ ...v, api: { authHeader: 'X-Exfiltrate' } }),
    applies: kinds('key-api'),
  },
];
const SECRET_JSON: HostileCase[] = SECRET_JSON_ROWS.map((c) => ({
  applies: all,
  ...c,
  group: 'secret JSON',
  step: 'createSecret',
}));

const OVER_LONG_ROWS: Row[] = [
  { name: '1 MB username', field: 'username', current: (v: Json) => ({ ...v, username: MB }), applies: db },
  {
    name: 'username of 64 bytes (PostgreSQL keeps 63)',
    field: 'username',
    current: (v: Json) => ({ ...v, username: 'u'.repeat(64) }),
    applies: kinds('postgres'),
  },
  {
    name: 'base username of 58 bytes (its clone would be truncated)',
    field: 'username',
    current: (v: Json) => ({ ...v, username: 'u'.repeat(58) }),
    applies: pgAlternating,
  },
  {
    name: 'username of 27 characters (its clone over 32)',
    field: 'username',
    current: (v: Json) => ({ ...v, username: 'u'.repeat(27) }),
    applies: (k: TargetKind) => k === 'mysql',
  },
  {
    name: 'ownerRole of 64 bytes',
    field: 'ownerRole',
    current: (v: Json) => ({ ...v, ownerRole: 'o'.repeat(64) }),
    applies: pgAlternating,
  },
  {
    name: '1 MB keyId (not a key of the account)',
    field: 'keyId',
    current: (v: Json) => ({ ...v, keyId: MB }),
    applies: kinds('key-api'),
  },
  {
    name: '1 MB apiKey',
    field: 'apiKey',
    current: (v: Json) => ({ ...v, apiKey: `sk_${MB}` }),
    applies: kinds('key-api'),
  },
];
const OVER_LONG: HostileCase[] = OVER_LONG_ROWS.map((c) => ({
  applies: all,
  ...c,
  group: 'over-long',
  step: 'createSecret',
}));

/** AWSPENDING planted with one field other than AWSCURRENT's; setSecret must refuse it before acting. */
const DISAGREE_ROWS: Row[] = [
  {
    name: 'AWSPENDING username is another user (look-alike)',
    field: 'username',
    pending: (n: Json) => ({ ...n, username: lookAlike(String(n.username)) }),
    applies: kinds('none', 'postgres', 'mysql'),
  },
  {
    name: 'AWSPENDING host differs',
    field: 'host',
    pending: (n: Json) => ({ ...n, host: 'attacker.example' }),
    applies: db,
  },
  {
    name: 'AWSPENDING host is a look-alike (fullwidth digit)',
    field: 'host',
    pending: (n: Json) => ({ ...n, host: String(n.host).replace(/1$/, '\uff11') }),
    applies: db,
  },
  {
    name: 'AWSPENDING port differs',
    field: 'port',
    pending: (n: Json) => ({ ...n, port: Number(n.port) + 1 }),
    applies: db,
  },
  {
    name: 'AWSPENDING engine differs',
    field: 'engine',
    pending: (n: Json) => ({ ...n, engine: n.engine === 'postgres' ? 'aurora-postgresql' : 'aurora-mysql' }),
    applies: db,
  },
  {
    name: 'AWSPENDING dbname differs',
    field: 'dbname',
    pending: (n: Json) => ({ ...n, dbname: 'other_db' }),
    applies: db,
  },
  { name: 'AWSPENDING ssl false', field: 'ssl', pending: (n: Json) => ({ ...n, ssl: false }), applies: db },
  {
    name: 'AWSPENDING masterarn differs',
    field: 'masterarn',
    pending: (n: Json) => ({ ...n, masterarn: `${n.masterarn}-other` }),
    applies: alternating,
  },
  {
    name: 'AWSPENDING ownerRole names an existing role',
    field: 'ownerRole',
    pending: (n: Json) => ({ ...n, ownerRole: 'pg_read_all_data' }),
    applies: pgAlternating,
  },
  {
    name: 'AWSPENDING baseUrl differs (look-alike path)',
    field: 'baseUrl',
    pending: (n: Json) => ({ ...n, baseUrl: `${n.baseUrl}/v1` }),
    applies: kinds('key-api'),
  },
  {
    name: 'AWSPENDING provider differs',
    field: 'provider',
    pending: (n: Json) => ({ ...n, provider: 'sendgrid' }),
    applies: kinds('key-api'),
  },
  {
    name: 'AWSPENDING with a field AWSCURRENT lacks',
    field: 'redirectTo',
    pending: (n: Json) => ({ ...n, redirectTo: 'https://attacker.example' }),
    applies: all,
  },
  {
    name: 'AWSPENDING with a 1 MB field AWSCURRENT lacks',
    field: 'padding',
    pending: (n: Json) => ({ ...n, padding: MB }),
    applies: all,
  },
  {
    name: 'AWSPENDING without a field AWSCURRENT has',
    field: 'note',
    current: (v: Json) => ({ ...v, note: 'kept' }),
    pending: ({ note: _, ...rest }: Json) => rest,
    applies: all,
  },
];
const DISAGREE: HostileCase[] = DISAGREE_ROWS.map((c) => ({
  applies: all,
  ...c,
  group: 'versions disagree',
  step: 'setSecret',
}));

/** Injection payloads in every identifier a rotator uses: refused before they reach the target. */
const INJECTION_ROWS: Row[] = [
  {
    name: 'AWSPENDING username `x"; DROP ROLE postgres; --`',
    field: 'username',
    step: 'setSecret',
    pending: (n: Json) => ({ ...n, username: 'x"; DROP ROLE postgres; --' }),
    applies: kinds('postgres'),
  },
  {
    name: "AWSPENDING username `app_clone'@'%' IDENTIFIED BY 'x' --`",
    field: 'username',
    step: 'setSecret',
    pending: (n: Json) => ({ ...n, username: `${n.username}'@'%' IDENTIFIED BY 'x' --` }),
    applies: kinds('mysql'),
  },
  {
    name: 'AWSPENDING dbname `postgres; DROP DATABASE x`',
    field: 'dbname',
    step: 'setSecret',
    pending: (n: Json) => ({ ...n, dbname: 'postgres; DROP DATABASE x' }),
    applies: db,
  },
  {
    name: "AWSPENDING host `127.0.0.1' OR '1'='1`",
    field: 'host',
    step: 'setSecret',
    pending: (n: Json) => ({ ...n, host: "127.0.0.1' OR '1'='1" }),
    applies: db,
  },
  {
    name: 'username with a newline and SQL',
    field: 'username',
    step: 'createSecret',
    current: (v: Json) => ({ ...v, username: `${v.username}\n'; DROP USER root; --` }),
    applies: (k: TargetKind, s: Strategy) => k === 'mysql' || pgAlternating(k, s),
  },
  {
    name: 'ownerRole with a newline and SQL',
    field: 'ownerRole',
    step: 'createSecret',
    current: (v: Json) => ({ ...v, ownerRole: 'owner\n"; ALTER ROLE postgres PASSWORD NULL; --' }),
    applies: pgAlternating,
  },
  {
    name: 'ownerRole equal to the username',
    field: 'ownerRole',
    step: 'createSecret',
    current: (v: Json) => ({ ...v, ownerRole: v.username }),
    applies: pgAlternating,
  },
  {
    name: 'ownerRole names an existing role not made for this secret (pg_read_all_data)',
    field: 'ownerRole',
    step: 'setSecret',
    current: (v: Json) => ({ ...v, ownerRole: 'pg_read_all_data' }),
    applies: pgAlternating,
  },
  {
    name: 'keyId `../../keys/other` (a path, not a key of the account)',
    field: 'keyId',
    step: 'createSecret',
    current: (v: Json) => ({ ...v, keyId: '../../keys/other' }),
    applies: kinds('key-api'),
  },
  {
    name: 'baseUrl path escaping with `/../`',
    field: 'baseUrl',
    step: 'createSecret',
    current: (v: Json) => ({
      ...v,
      baseUrl: `https://attacker.example/../${String(v.baseUrl).replace('https://', '')}`,
    }),
    applies: kinds('key-api'),
  },
  {
    name: 'AWSPENDING apiKey and keyId of another account',
    field: ['keyId', 'apiKey'],
    step: 'testSecret',
    pending: async (n: Json, _c: Json, h: HostileHelpers) => ({ ...n, ...(await h.foreign!()) }),
    applies: kinds('key-api'),
  },
];
const INJECTION: HostileCase[] = INJECTION_ROWS.map((c) => ({
  applies: all,
  step: 'createSecret',
  ...c,
  group: 'injection',
}));

/** The master secret named by masterarn: its host, port and JSON. */
const MASTER: HostileCase[] = [
  {
    name: 'master secret on a look-alike host',
    field: 'masterarn',
    mutate: (m: Json) => ({ ...m, host: String(m.host).replace(/1$/, '\uff11') }),
  },
  {
    name: 'master secret on another port',
    field: 'masterarn',
    mutate: (m: Json) => ({ ...m, port: Number(m.port) + 1 }),
  },
  { name: 'master secret is not JSON', field: ['SecretString', 'masterarn'], mutate: () => 'not json' },
  {
    name: 'master username with a NUL byte',
    field: 'username',
    mutate: (m: Json) => ({ ...m, username: `${m.username}\u0000` }),
  },
].map(({ mutate, ...c }) => ({
  ...c,
  group: 'master secret' as const,
  step: 'setSecret' as const,
  applies: alternating,
  current: async (v: Json, h: HostileHelpers) => ({
    ...v,
    masterarn: await h.store(mutate(await h.read(String(v.masterarn))) as Json | string),
  }),
}));

/** AWSCURRENT with "ssl": false while REQUIRE_TLS is on: refused before anything is sent. */
const TLS: HostileCase[] = [
  {
    name: 'ssl false under REQUIRE_TLS',
    field: 'ssl',
    group: 'secret JSON',
    step: 'setSecret',
    current: (v: Json) => ({ ...v, ssl: false }),
    applies: db,
  },
];

export const HOSTILE_CASES: HostileCase[] = [
  ...EVENTS,
  ...OUT_OF_ORDER,
  ...SECRET_JSON,
  ...OVER_LONG,
  ...DISAGREE,
  ...INJECTION,
  ...MASTER,
  ...TLS,
];

/** What createSecret would have put for this current value (the planted pending starts from it). */
export function naturalPending(current: Json, strategy: Strategy, newPassword: string): Json {
  if (strategy === 'api key')
    return { ...current, apiKey: `sk_test_planted_${newPassword}`, keyId: 'key_planted', previousKeyId: current.keyId };
  if (strategy === 'alternating users') {
    const username = String(current.username);
    return {
      ...current,
      username: username.endsWith('_clone') ? username.slice(0, -'_clone'.length) : `${username}_clone`,
      password: newPassword,
    };
  }
  return { ...current, password: newPassword };
}

/** docs/RELIABILITY.md from a proof's results: rendering only. */
import type { FaultCase } from './callPoints.ts';
import { FULL_SCALE, type ProofResult, type ProofScale, type RotatorProof, TEST_SCALE } from './run.ts';
import { FAULT_KINDS } from './types.ts';

/** Replaced by the number of secret values found in the rendered report (scripts/proof/main.ts). */
export const REPORT_LEAK_HITS = '{{report-leak-hits}}';

export interface ReportEnvironment {
  machine: { cpu: string; memory: string; os: string; loadAverage: string };
  versions: Record<string, string | undefined>;
  revision: string;
}

function table(header: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** Inline code that may itself hold backticks. */
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

const seconds = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`);
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function cases(proof: RotatorProof): FaultCase[] {
  return proof.enumerations.flatMap((e) => e.cases);
}

function callPointCounts(proof: RotatorProof): string {
  return proof.enumerations
    .map((e) => {
      const by = (channel: string) => e.calls.filter((c) => c.channel === channel).length;
      const faulted = new Set(e.cases.map((c) => c.index)).size;
      const all = `${e.calls.length} (${by('secretsmanager')} SM, ${by('sql')} SQL, ${by('http')} HTTP)`;
      return `rotation ${e.phase + 1}: ${faulted === e.calls.length ? all : `${faulted} of ${all}`}`;
    })
    .join('; ');
}

function summaryRow(proof: RotatorProof): string[] {
  if (proof.unsupported) return [proof.name, '–', 'not proven', '–', '–', '–', '–', '–', '–', proof.unsupported];
  const all = cases(proof);
  const survived = all.filter((c) => c.problems.length === 0).length;
  const lockouts =
    all.filter((c) => c.problems.some((p) => p.startsWith('LOCKOUT'))).length +
    proof.overlap.filter((o) => o.problems.some((p) => p.startsWith('LOCKOUT'))).length;
  const load = proof.load
    ? `${proof.load.failed} of ${proof.load.logins}` +
      `${proof.strategy === 'single user' ? ` (${proof.load.failedStale} with the replaced password)` : ''}`
    : '–';
  const overlap = `${proof.overlap.filter((o) => o.problems.length === 0).length}/${proof.overlap.length}`;
  const hostileWrites = proof.hostile.reduce(
    (sum, h) => sum + h.writes.secretsManager + h.writes.wires + (h.writes.server ?? 0),
    0,
  );
  const hostile =
    `${proof.hostile.filter((h) => h.problems.length === 0).length}/${proof.hostile.length}, ` +
    `${hostileWrites} writes`;
  return [
    proof.name,
    proof.strategy ?? '–',
    callPointCounts(proof),
    `${survived}/${all.length}`,
    String(lockouts),
    load,
    overlap,
    hostile,
    `${seconds(proof.durationMs)} ` +
      `(${['call points', 'load', 'overlap', 'hostile'].map((k) => seconds(proof.suiteMs[k] ?? 0)).join(' / ')})`,
    proof.failures.length === 0 ? 'passed' : `**${count(proof.failures.length, 'failure')}**`,
  ];
}

function scaleLine(scale: ProofScale): string {
  const phases = scale.phases
    .map(
      (p) =>
        `rotation ${p.phase + 1}: ${p.points === 'all' ? 'every call point' : 'every write'}` +
        `${p.channels ? ` on ${p.channels.join('/')}` : ''}${p.strategies ? ` (${p.strategies.join(', ')})` : ''}`,
    )
    .join('; ');
  const overlap = scale.overlap === 'all' ? 'every schedule' : `${scale.overlap.length} schedules`;
  return (
    `faults ${scale.faults.join(', ')} at ${phases}; ` +
    `load ${scale.load.clients} clients × ${scale.load.rotations} rotations ` +
    `(cache TTL ${scale.load.ttlMs} ms, interval ${scale.load.intervalMs} ms); ` +
    `overlap: ${overlap}; hostile: every case; leak scan: everything`
  );
}

function faultTable(proof: RotatorProof): string {
  return proof.enumerations
    .map((e) => {
      const byIndex = new Map<number, FaultCase[]>();
      for (const c of e.cases) byIndex.set(c.index, [...(byIndex.get(c.index) ?? []), c]);
      const rows = e.calls
        .filter((call) => byIndex.has(call.index))
        .map((call) => {
          const row = byIndex.get(call.index)!;
          const verdict = (fault: string) => {
            const c = row.find((x) => x.fault === fault);
            if (!c) return '–';
            if (c.problems.length > 0) return '**failed**';
            return c.abandoned > 0
              ? `survived (new token)`
              : c.failedInvocations > 0
                ? `survived (${count(c.failedInvocations, 'retry')})`
                : 'survived (no retry needed)';
          };
          return [
            String(call.index),
            call.step ?? '',
            call.channel === 'secretsmanager' ? 'SM' : call.channel.toUpperCase(),
            `${code(call.label)}${call.write ? ' (write)' : ''}`,
            ...FAULT_KINDS.map(verdict),
          ];
        });
      return [
        `Rotation ${e.phase + 1} of a new secret (${e.phase === 0 ? 'the first' : 'after one clean rotation'}):`,
        '',
        table(['#', 'step', 'channel', 'call', ...FAULT_KINDS], rows),
      ].join('\n');
    })
    .join('\n\n');
}

export function renderReliability(result: ProofResult, env: ReportEnvironment): string {
  const proven = result.rotators.filter((r) => !r.unsupported);
  const allCases = proven.flatMap(cases);
  const hostile = proven.flatMap((r) => r.hostile.map((h) => ({ rotator: r.name, ...h })));
  const hostileWrites = hostile.reduce(
    (sum, h) => sum + h.writes.secretsManager + h.writes.wires + (h.writes.server ?? 0),
    0,
  );
  const leakHits = result.leaks.scans.reduce((sum, s) => sum + s.hits, 0);
  const verdict =
    result.failures.length === 0
      ? '**PASSED**: every case held.'
      : `**FAILED**: ${count(result.failures.length, 'failing check')} (listed under *Failures*).`;
  const lines: string[] = [
    '# Reliability',
    '',
    'Written by `npm run proof` (scripts/proof.sh, packages/testkit/src/proof/) — do not edit by hand, run the ' +
      'command again. It exits non-zero when any case fails.',
    '',
    `Scale **${result.scale.name}**, run on ${result.started.toISOString()} ` +
      `in **${seconds(result.durationMs)}**. ${verdict}`,
    '',
    '## Summary',
    '',
    table(
      [
        'rotator',
        'strategy',
        'call points enumerated',
        'fault cases survived',
        'lockouts',
        'failed logins under load',
        'overlap schedules held',
        'hostile cases held, writes',
        'time (call points / load / overlap / hostile)',
        'result',
      ],
      result.rotators.map(summaryRow),
    ),
    '',
    `Fault cases: ${allCases.length} (${allCases.filter((c) => c.problems.length === 0).length} survived). ` +
      `Hostile cases: ${hostile.length}, writes made: ${hostileWrites}. ` +
      `Leak hits: ${leakHits} in ${count(result.leaks.scans.length, 'source')}, ` +
      `searching for ${result.leaks.secretsKnown} secret values.`,
    '',
    '## What is checked',
    '',
    '- **Every call point × every fault.** One rotation of a new secret is recorded: every Secrets Manager call of ' +
      "the function (an SDK middleware), every connection and SQL statement (the rotator's injectable `connect`), " +
      'every request to the key API (its `createHttp`). Then, for each call and each fault, a new secret is ' +
      'rotated with that fault at that call (matched by step, call and occurrence). The service retries as Secrets ' +
      'Manager does: the failed step again with the same token (3 invocations), then the next rotation with a new ' +
      'token after removing the stuck AWSPENDING. Then one more rotation must succeed at once.',
    '  - *error*: the call fails before it takes effect (Secrets Manager: InternalServiceError before the request; ' +
      'SQL: the connection drops instead; HTTP: the key API answers 503 without acting, on every attempt).',
    '  - *timeout*: the call takes effect and its answer is lost (Secrets Manager: moto carries it out, then the ' +
      "SDK's TimeoutError; SQL: the statement runs, then the driver's timeout error and the session dropped; HTTP: " +
      "the key API carries the request out and drops the connection — the client's own retry policy applies).",
    '  - *crash*: the call takes effect, then the process dies: every later call of that invocation fails without ' +
      'effect, the invocation fails, and the next one starts with a new handler.',
    '- **No lockout, no lost credential.** The labels and what the target accepts are checked at every step ' +
      'boundary and right after every call that can change either (a target write, a label write): every state a ' +
      'client can meet. A *lockout* is a state in which the target refuses AWSCURRENT, AWSPENDING and AWSPREVIOUS ' +
      'alike. Alternating users and API keys must accept AWSCURRENT in every state. At the end: one AWSCURRENT, no ' +
      'AWSPENDING, the target accepts AWSCURRENT (and AWSPREVIOUS where the strategy keeps it valid), and (API ' +
      'key) no key at the provider that neither AWSCURRENT nor AWSPREVIOUS holds.',
    '- **Load.** Clients read AWSCURRENT through a cache with a TTL (and again after a refused login) and log in ' +
      'continuously, all at once, during back-to-back rotations whose interval exceeds the TTL. Each refusal is ' +
      'classified by what the version it used was at that moment.',
    '- **Overlap.** Two rotations of one secret with two tokens, steps interleaved (moto accepts the second ' +
      'RotateSecret and moves AWSPENDING to it; AWS refuses it, so on AWS this takes an operator removing the ' +
      "stuck AWSPENDING, as AWS's troubleshooting guide advises).",
    '- **Hostile input.** Each case must end in a typed error (a RotationError) that names the field, with zero ' +
      'writes, counted: PutSecretValue/UpdateSecretVersionStage by the function, write statements and write ' +
      "requests through its wires, and writes in the server's own log (PostgreSQL statement log, MariaDB general " +
      'log, key API request log).',
    '- **Leaks.** Every secret value generated or read during the run, searched for in every log line and output, ' +
      "every error thrown (with causes and stacks), the PostgreSQL server log (log_statement=all), MariaDB's " +
      'general log and this report.',
    '',
    '## Machine and versions',
    '',
    table(
      ['', ''],
      [
        ['CPU', env.machine.cpu],
        ['memory', env.machine.memory],
        ['OS', env.machine.os],
        ['load average at start', env.machine.loadAverage],
        ...Object.entries({ ...env.versions, postgres: result.versions.postgres, mariadb: result.versions.mariadb })
          .filter(([, v]) => v)
          .map(([k, v]) => [k, v!]),
        ['revision', env.revision],
      ],
    ),
    '',
    '## Scales: which ran where',
    '',
    table(
      ['scale', 'where', 'what'],
      [
        [`full${result.scale.name === 'full' ? ' (this report)' : ''}`, '`npm run proof`', scaleLine(FULL_SCALE)],
        [
          `test${result.scale.name === 'test' ? ' (this report)' : ''}`,
          '`npm test` (packages/testkit/tests/integration/proof.test.ts)',
          scaleLine(TEST_SCALE),
        ],
      ],
    ),
    '',
  ];

  lines.push('## Zero downtime under load', '');
  lines.push(
    table(
      [
        'rotator',
        'strategy',
        'clients',
        'rotations',
        'logins',
        'with AWSPREVIOUS',
        'failed',
        'allowed (replaced password)',
        'violations',
        'clients affected',
        'longest streak',
        'longest recovery',
        'not recovered',
      ],
      proven.map((r) =>
        r.load
          ? [
              r.name,
              r.strategy!,
              String(r.load.clients),
              String(r.load.rotations),
              String(r.load.logins),
              String(r.load.withPrevious),
              String(r.load.failed),
              String(r.load.failedStale),
              String(r.load.violations),
              String(r.load.clientsAffected),
              String(r.load.maxStreak),
              `${r.load.maxRecoveryMs} ms`,
              String(r.load.notRecovered),
            ]
          : [r.name, r.strategy!, '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', r.loadSkipped ?? '–'],
      ),
    ),
    '',
    'Alternating users and API keys: every refusal counts as a violation (0 allowed). Single user: a refusal of ' +
      'the password the target holds is a violation; refusals of the replaced password happen between setSecret ' +
      'and finishSecret, by design, and every such client must log in again once it has refreshed.',
    '',
  );

  lines.push('## Overlap', '');
  lines.push(
    table(
      ['rotator', 'schedule', 'completed', 'result'],
      proven.flatMap((r) =>
        r.overlap.map((o) => [
          r.name,
          o.schedule,
          o.completed.join(', ') || 'none',
          o.problems.length === 0 ? 'held' : `**failed**: ${o.problems.join('; ')}`,
        ]),
      ),
    ),
    '',
  );

  lines.push('## Hostile input', '');
  const groups = [...new Set(hostile.map((h) => h.group))];
  lines.push(
    table(
      ['group', 'cases', 'held', 'writes'],
      groups.map((g) => {
        const of = hostile.filter((h) => h.group === g);
        return [
          g,
          String(of.length),
          String(of.filter((h) => h.problems.length === 0).length),
          String(of.reduce((s, h) => s + h.writes.secretsManager + h.writes.wires + (h.writes.server ?? 0), 0)),
        ];
      }),
    ),
    '',
  );
  const byCase = new Map<string, typeof hostile>();
  for (const h of hostile)
    byCase.set(`${h.group}\u0000${h.name}`, [...(byCase.get(`${h.group}\u0000${h.name}`) ?? []), h]);
  lines.push(
    table(
      ['group', 'case', 'step', 'field', 'error per rotator', 'writes'],
      [...byCase.values()].map((list) => {
        const first = list[0]!;
        const byError = new Map<string, string[]>();
        for (const h of list)
          byError.set(`${h.error}${h.problems.length ? ' **(failed)**' : ''}`, [
            ...(byError.get(`${h.error}${h.problems.length ? ' **(failed)**' : ''}`) ?? []),
            h.rotator,
          ]);
        const errors = [...byError]
          .map(
            ([error, names]) =>
              `${error} (${names.length === proven.length ? `all ${names.length} rotators` : names.join(', ')})`,
          )
          .join('; ');
        const writes = list.reduce((s, h) => s + h.writes.secretsManager + h.writes.wires + (h.writes.server ?? 0), 0);
        return [first.group, first.name, first.step, first.field, errors, String(writes)];
      }),
    ),
    '',
    `Server-side write counts come from: ${[...new Set(proven.map((r) => serverSource(r)))].join('; ')}.`,
    '',
  );

  lines.push('## Leaks', '');
  lines.push(
    table(
      ['source', 'bytes', 'hits'],
      [
        ...result.leaks.scans.map((s) => [
          s.source,
          s.unavailable ? `not scanned: ${s.unavailable}` : String(s.bytes),
          String(s.hits),
        ]),
        ['this report (scanned before it is written)', '–', REPORT_LEAK_HITS],
      ],
    ),
    '',
  );

  lines.push('## Every call point × every fault', '');
  for (const r of proven) lines.push(`### ${r.name}`, '', `Target: ${r.target ?? '–'}.`, '', faultTable(r), '');

  lines.push('## Failures', '');
  if (result.failures.length === 0) lines.push('None.', '');
  else lines.push(...result.failures.map((f) => `- ${f}`), '');

  lines.push(
    '## Not covered',
    '',
    '- The zips: the proof drives each rotator from its source in-process (createRotationHandler with its ' +
      "injectable wires), so faults can be put at any call. Each package's `tests/zip` runs its built zip on Node " +
      '22.',
    "- A server's one-time set-up (e.g. the MySQL rotator creating its `rotators` ownership table) happens on a " +
      'warm-up secret before the recorded rotation; its calls are not faulted.',
    "- Two faults in one rotation, faults in the service's own calls (RotateSecret, the label clean-up), and a " +
      "hang that outlasts Lambda's timeout (the engine's time budget has its own test in packages/core).",
    '- moto is not AWS (shared/reference/moto-notes.md): its RotateSecret accepts a second rotation while one is ' +
      'unfinished, which the overlap schedules rely on.',
    "- The operator CLI (packages/cli): its output is not part of this run's leak scan; its own tests cover its " +
      'stuck-state repairs.',
    '- A step invoked out of order after a failure (e.g. finishSecret after a failed testSecret): Secrets Manager ' +
      'never does it, so the service here never does either; only "before createSecret" is tried, as hostile input.',
    '',
  );
  return lines.join('\n');
}

function serverSource(r: RotatorProof): string {
  if (r.name === 'generic-password' || !r.target) return `${r.name}: none (no target)`;
  if (r.target.startsWith('PostgreSQL')) return `${r.name}: the PostgreSQL statement log`;
  if (r.target.includes('MariaDB') || r.target.includes('MySQL')) return `${r.name}: MariaDB's general log`;
  return `${r.name}: the key API's request log`;
}

export { FULL_SCALE, TEST_SCALE };

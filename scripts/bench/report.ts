/** docs/BENCHMARKS.md from a benchmark's results: pure rendering, no measuring. */
import { STEPS } from '@rotators/testkit';
import { callSequence, callTable, type Range, repeatedReadFindings } from './calls.ts';
import type { Machine } from './machine.ts';
import type { QuietResult } from './quiet.ts';
import type { ModuleLoad } from './moduleLoad.ts';
import type { FleetBatch } from './fleet.ts';
import { fleetTable, stepLoadsTable } from './reportSections.ts';
import type { Rotation, RotationRuns } from './rotations.ts';
import type { StepLoad } from './stepLoads.ts';
import { median, summarize } from './stats.ts';

export interface RotatorResult {
  name: string;
  zip?: { bytes: number; sha256: string; budget?: number };
  /** What the rotations ran against. */
  target?: string;
  moduleLoad?: ModuleLoad;
  runs?: RotationRuns;
  stepLoads?: StepLoad[];
  fleet?: FleetBatch[];
  /** Why something was not measured, or failed: one line each. */
  problems: string[];
}

export interface BenchResult {
  date: Date;
  machine: Machine;
  versions: { node22: string; bench: string; moto: string; mariadb?: string; postgres?: string };
  revision: string;
  rotations: number;
  loadRuns: number;
  /** How the bench waited for a quiet machine before the module loads (undefined: it did not). */
  loadQuiet?: QuietResult;
  fleetSizes: number[];
  rotators: RotatorResult[];
}

/** Issue #13: module load at most this far above a bare `node -e 0`, median of 10. */
export const LOAD_BUDGET_MS = 50;

export function markdownTable(header: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}

export const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));

/** "median / p95 / max", or the one value when there is one sample. */
export function triple(samples: readonly number[]): string {
  const s = summarize(samples);
  if (!s) return '–';
  return s.n === 1 ? ms(s.median) : `${ms(s.median)} / ${ms(s.p95)} / ${ms(s.max)}`;
}

export const range = ({ min, max }: Range) => (min === max ? String(min) : `${min}–${max}`);

export function renderReport(result: BenchResult): string {
  const measured = result.rotators.filter((r) => r.runs);
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (scripts/bench.sh, scripts/bench/) — do not edit by hand, run the command again. ` +
      `Figures come only from this command, never from a timed test.`,
    '',
    '## Machine and versions',
    '',
    machineTable(result),
    '',
    '## How to read these',
    '',
    HOW_TO_READ(result),
    '',
    '## Zips',
    '',
    "Budget: the package's zip-budget.json (issue #13's targets); scripts/tests/zipContents.test.ts fails a zip " +
      'over it.',
    '',
    markdownTable(
      ['rotator', 'bytes', 'kB', 'budget (kB)', 'sha256'],
      result.rotators.map((r) =>
        r.zip
          ? [
              r.name,
              String(r.zip.bytes),
              (r.zip.bytes / 1000).toFixed(0),
              r.zip.budget ? `${(r.zip.budget / 1000).toFixed(0)}${r.zip.bytes <= r.zip.budget ? '' : ' (over)'}` : '–',
              `\`${r.zip.sha256}\``,
            ]
          : [r.name, '–', '–', '–', 'no zip'],
      ),
      ['l', 'r', 'r', 'r', 'l'],
    ),
    '',
    `## Module load on Node ${result.versions.node22} (ms, median of ${result.loadRuns})`,
    '',
    'Wall time from spawn to exit of `node -e "import(\'./index.mjs\')"` in the unpacked zip, and of a bare ' +
      '`node -e 0` just before it; *difference* is the difference of the medians. Every zip is measured before ' +
      `anything rotates, in ${result.loadRuns} rounds that each run every zip once, so a change in the machine's ` +
      'load falls on all of them. *import() alone* is the import as the process timed it. ' +
      quietSentence(result.loadQuiet),
    '',
    loadTable(result.rotators),
    '',
    '## Rotation time per step (ms: median / p95 / max)',
    '',
    `Cold: each step in a fresh process (${result.rotations} rotations). *start* is the zip unpacked, Node started ` +
      `and index.mjs loaded; *step* is the invocation. Warm: the four steps in one process (${result.rotations} ` +
      `rotations after an untimed first one). p95 is by nearest rank: with fewer than 20 samples it is the largest.`,
    '',
    ...measured.flatMap((r) => [`### ${r.name}`, '', `Target: ${r.target}.`, '', timeTable(r.runs!), '']),
    '## What each step loads',
    '',
    "One more rotation, each step in a fresh process with the zip's module loads traced: how many of the zip's " +
      'files the step loaded, and the driver packages (database drivers, the HTTP client, the RDS API, the RDS CA ' +
      'bundle) in them, from the esbuild metafile. Issue #13: createSecret and finishSecret of a database rotator ' +
      'load no driver.',
    '',
    stepLoadsTable(result.rotators, markdownTable),
    '',
    `## Fleet: one warm process rotating ${result.fleetSizes.join(', ')} secrets`,
    '',
    `Each batch is fresh secrets, rotated one after the other by one zip function (after one untimed rotation); ` +
      `the secrets are made before the batch's clock starts. Time per secret is the whole rotation (the four steps ` +
      `and the service's own calls). Issue #13: at ${result.fleetSizes.at(-1)} within 20% of ` +
      `${result.fleetSizes[0]}, memory flat.`,
    '',
    'Memory is read after each batch, first as the function left it: the resident set (RSS) and the heap V8 ' +
      'holds. V8 grows the heap it holds in steps when it is busy and gives it back only under pressure, so RSS ' +
      'climbs with it whether or not anything leaks. Then the bench asks the function for two full garbage ' +
      'collections (its process runs with --expose-gc, which Lambda does not) and reads the heap still in use, ' +
      "by V8's heap spaces. Of that, the program's objects are what a leak (a cache keyed by secret, a connection " +
      'left open, listeners piling up) would make grow, and that figure is the one held to 20% of the first ' +
      'batch. The rest is compiled code and bytecode (code and trusted spaces), which grows as more functions ' +
      'run often enough to be optimized; it is shown, with the whole heap in use and its ratio, but not held to ' +
      "the budget. (V8's feedback for optimizing sits with the objects, so they carry some of that growth too.)",
    '',
    ...result.rotators
      .filter((r) => r.fleet)
      .flatMap((r) => [`### ${r.name}`, '', fleetTable(r.fleet!, markdownTable), '']),
    '## Secrets Manager calls per rotation',
    '',
    "Counted by a proxy in front of moto (the zip's SECRETS_MANAGER_ENDPOINT), over every rotation of the run " +
      '(cold, the warm process\'s first one, warm); a range means the count differed between rotations. "Repeated" ' +
      'lists DescribeSecret and GetSecretValue calls made more than once with the same arguments within one step ' +
      "(issue #13's target: none).",
    '',
    ...measured.flatMap((r) => callsSection(r)),
    ...problemsSection(result.rotators),
  ].join('\n');
}

function machineTable(result: BenchResult): string {
  const { machine: m, versions: v } = result;
  const rows: string[][] = [
    ['date', result.date.toISOString().replace(/\.\d+Z$/, 'Z')],
    ['CPU', m.cpu],
    ['memory', m.memory],
    ['OS', m.os],
    ['load average at start (1, 5, 15 min)', m.loadAverage],
    ['Node running the zips', v.node22],
    ['Node running the bench', v.bench],
    ['moto', v.moto],
    ['MariaDB', v.mariadb ?? 'not started (no rotator needed it)'],
    ['PostgreSQL', v.postgres ?? 'not started (no rotator needed it)'],
    ['zips built from', result.revision],
    [
      'samples',
      `ROTATIONS=${result.rotations} cold and ${result.rotations} warm rotations per rotator; module load ` +
        `${result.loadRuns} + ${result.loadRuns} runs (LOAD_RUNS); fleets of ${result.fleetSizes.join(', ')} ` +
        `(FLEET_SIZES)`,
    ],
  ];
  return markdownTable(['', 'value'], rows);
}

const HOW_TO_READ = (result: BenchResult) =>
  [
    'Everything runs on this one machine: moto stands in for Secrets Manager and answers on loopback, faster than ' +
      'AWS answers a Lambda',
    "function over the network, and the databases and key API are local too. So read the times as the function's " +
      'own overhead (Node start,',
    'module load, SDK and driver work, TLS handshakes), not as what a rotation takes in AWS, and compare them ' +
      'between rotators and between runs',
    `on the same machine. The machine may be shared (the load average at the start was ` +
      `${result.machine.loadAverage}): p95 and max show the noise, the`,
    'median is the figure to compare. The proxy that counts calls adds a little to every Secrets Manager call. ' +
      'Call counts do not depend on the',
    'machine: they are what the function asks of Secrets Manager per rotation, and each call is a request billed ' +
      'and rate-limited by AWS.',
  ].join('\n');

function quietSentence(quiet: QuietResult | undefined): string {
  const percent = (idle: number | undefined) => (idle === undefined ? '–' : `${Math.round(idle * 100)}%`);
  if (!quiet || quiet.lastIdle === undefined)
    return "The bench could not read the CPUs' idle time (no /proc/stat) and did not wait for a quiet machine.";
  const waited = `${Math.round(quiet.waitedMs / 1000)} s`;
  return quiet.quiet
    ? `They started once the CPUs had been at least 90% idle for 3 s in a row (the bench waited ${waited} for that ` +
        'after setting up the servers and the targets).'
    : `The CPUs were not 90% idle for 3 s in a row within ${waited} (the last second: ${percent(quiet.lastIdle)} ` +
        'idle), so these figures carry that load.';
}

function loadTable(rotators: RotatorResult[]): string {
  const rows = rotators
    .filter((r) => r.moduleLoad)
    .map((r) => {
      const load = r.moduleLoad!;
      const difference = median(load.load)! - median(load.bare)!;
      return [
        r.name,
        ms(median(load.bare)),
        ms(median(load.load)),
        ms(difference),
        difference <= LOAD_BUDGET_MS ? 'yes' : 'no',
        ms(median(load.importMs)),
      ];
    });
  return markdownTable(
    [
      'rotator',
      '`node -e 0`',
      'import index.mjs',
      'difference',
      `≤ ${LOAD_BUDGET_MS} ms (issue #13)`,
      'import() alone, inside',
    ],
    rows,
    ['l', 'r', 'r', 'r', 'l', 'r'],
  );
}

function timeTable(runs: RotationRuns): string {
  const pick = (rotations: Rotation[], step: string | undefined, value: (s: Rotation[number]) => number) =>
    rotations.map((rotation) =>
      rotation.filter((s) => step === undefined || s.step === step).reduce((sum, s) => sum + value(s), 0),
    );
  const row = (label: string, step: string | undefined) => [
    label,
    triple(pick(runs.cold, step, (s) => s.startMs ?? 0)),
    triple(pick(runs.cold, step, (s) => s.invokeMs)),
    triple(pick(runs.cold, step, (s) => (s.startMs ?? 0) + s.invokeMs)),
    triple(pick(runs.warm, step, (s) => s.invokeMs)),
  ];
  return markdownTable(
    ['step', 'cold: start', 'cold: step', 'cold: start + step', 'warm: step'],
    [...STEPS.map((step) => row(step, step)), row('whole rotation', undefined)],
    ['l', 'r', 'r', 'r', 'r'],
  );
}

function callsSection(r: RotatorResult): string[] {
  const runs = r.runs!;
  const rotations = [...runs.cold, runs.warmUp, ...runs.warm];
  const table = callTable(rotations);
  const columns = [...STEPS, 'rotation'] as const;
  const rows = [...table.apis, 'all'].map((api) => [
    api === 'all' ? '**all calls**' : api,
    ...columns.map((column) => range(table.count(api, column))),
  ]);
  const repeated = repeatedReadFindings(rotations);
  const last = runs.warm.at(-1) ?? runs.warmUp;
  return [
    `### ${r.name}`,
    '',
    markdownTable(['API', ...columns], rows, ['l', 'r', 'r', 'r', 'r', 'r']),
    '',
    repeated.length === 0
      ? `Repeated within one step: none (${table.rotations} rotations).`
      : [
          `Repeated within one step (of ${table.rotations} rotations):`,
          '',
          ...repeated.map(
            (f) => `- ${f.step}: ${f.call} ×${f.times}, in ${f.rotations} rotation${f.rotations === 1 ? '' : 's'}`,
          ),
        ].join('\n'),
    '',
    "The last warm rotation's calls, in order:",
    '',
    ...callSequence(last).map(({ step, calls }) => `- ${step}: ${calls.join(' → ') || 'none'}`),
    '',
  ];
}

function problemsSection(rotators: RotatorResult[]): string[] {
  const lines = rotators.flatMap((r) =>
    r.problems.map((problem) => `- **${r.name}**: ${problem.replace(/\s*\n\s*/g, ' ')}`),
  );
  return lines.length === 0 ? [] : ['## Not measured or failed', '', ...lines, ''];
}

/**
 * `npm run proof`: the reliability proof of every rotator (packages/testkit/src/proof/), and
 * docs/RELIABILITY.md from its results. Progress goes to stderr; the run's own logs are captured
 * for the leak scan (ROTATORS_SHOW_LOGS=1 shows them too).
 *
 *   PROOF_SCALE      full (default) or test (the scale `npm test` runs)
 *   PROOF_ROTATORS   comma-separated rotator names (default: every rotator package)
 *
 * The full scale over every rotator writes docs/RELIABILITY.md; a narrowed run writes
 * .local/proof/RELIABILITY.md instead, so the committed document always describes a whole run.
 * Exits 1 when any case failed (a lockout, a lost credential, a write on bad input, a leak …).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findLeaks,
  FULL_SCALE,
  installLogCapture,
  renderReliability,
  REPORT_LEAK_HITS,
  repoRoot,
  runProof,
  TEST_SCALE,
} from '@rotators/testkit';
import { machine, motoVersion, node22Version, sourceRevision } from '../bench/machine.ts';

const stderr = process.stderr.write.bind(process.stderr);
installLogCapture();
const progress = (message: string) => stderr(`[proof] ${message}\n`);

async function main(): Promise<number> {
  const scaleName = process.env.PROOF_SCALE?.trim() || 'full';
  if (scaleName !== 'full' && scaleName !== 'test')
    throw new Error(`PROOF_SCALE must be "full" or "test" (got "${scaleName}")`);
  const scale = scaleName === 'full' ? FULL_SCALE : TEST_SCALE;
  const only = (process.env.PROOF_ROTATORS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const machineAtStart = machine();
  progress(`scale ${scale.name}${only.length ? `, rotators ${only.join(', ')}` : ', every rotator'}`);

  const result = await runProof({ scale, only, progress });
  let report = renderReliability(result, {
    machine: machineAtStart,
    versions: {
      'Node (proof)': process.version,
      'Node 22 (Lambda runtime major)': node22Version(),
      moto: motoVersion(),
    },
    revision: sourceRevision(),
  });
  // The report itself must not carry a secret either.
  const reportLeaks = findLeaks(report);
  report = report.replace(REPORT_LEAK_HITS, String(reportLeaks.length));
  if (reportLeaks.length > 0) result.failures.push(`LEAK: ${reportLeaks.length} secret value(s) in the report`);

  const whole = scale.name === 'full' && only.length === 0;
  const target = whole ? join(repoRoot, 'docs', 'RELIABILITY.md') : join(repoRoot, '.local', 'proof', 'RELIABILITY.md');
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, report);
  progress(`wrote ${target.slice(repoRoot.length + 1)} (${Math.round(result.durationMs / 1000)} s)`);
  for (const failure of result.failures) progress(`FAILED: ${failure}`);
  progress(result.failures.length === 0 ? 'every case held' : `${result.failures.length} failing check(s)`);
  return result.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    process.exit(1);
  },
);

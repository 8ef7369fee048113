/**
 * Every rotator's zip is reproducible: two builds of the same sources, each into a folder of its
 * own, give byte-identical zips, and those equal the package's dist/ zip (so what Terraform
 * deploys is what the sources say). Packages build one after the other: each build is CPU-bound.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, zipPath } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { rotatorPackages } from './rotatorPackages.ts';

const packages = rotatorPackages(repoRoot);

describe('reproducible build', () => {
  it('finds the rotator packages', () => {
    expect(packages.length).toBeGreaterThan(0);
  });

  it.each(packages)('%s: two builds from the same sources give byte-identical zips, equal to dist/', (name) => {
    const first = buildZipSha256(name);
    const second = buildZipSha256(name);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(sha256(zipPath(name))).toBe(first);
  });
});

/** Builds `name` with the same scripts `turbo run package` runs, into a temporary folder; the zip's SHA-256. */
function buildZipSha256(name: string): string {
  const out = mkdtempSync(join(tmpdir(), 'rotator-build-'));
  try {
    for (const script of ['bundle-rotator.mjs', 'zip-rotator.mjs']) {
      execFileSync(process.execPath, [join(repoRoot, 'scripts', script), '--out', out], { cwd: join(repoRoot, 'packages', name), stdio: 'pipe' });
    }
    return sha256(join(out, `${name}.zip`));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

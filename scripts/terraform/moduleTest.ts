/**
 * `terraform test` of one module with a test file written by a vitest (the mock provider of
 * terraform/modules/rotation-function/tests/mocks, no AWS), on a private copy of terraform/modules
 * so the work tree's .terraform and tests are never touched.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@rotators/testkit';
import { terraformEnvironment } from './terraformRoot.ts';

const run = promisify(execFile);

export interface ModuleTestResult {
  code: number;
  output: string;
}

/** Runs `tests/<name>.tftest.hcl` (the given text) alone in a copy of terraform/modules/<module>. */
export async function runModuleTest(module: string, name: string, tftest: string): Promise<ModuleTestResult> {
  const copy = mkdtempSync(join(tmpdir(), `tf-module-${module}-`));
  try {
    const skip = (source: string) =>
      !/(^|\/)(\.terraform|terraform\.tfstate[^/]*|\.terraform\.lock\.hcl)$/.test(source);
    cpSync(join(repoRoot, 'terraform', 'modules'), join(copy, 'modules'), { recursive: true, filter: skip });
    const dir = join(copy, 'modules', module);
    writeFileSync(join(dir, 'tests', `${name}.tftest.hcl`), tftest);
    const env = await terraformEnvironment();
    const terraform = async (args: string[]): Promise<ModuleTestResult> => {
      try {
        const { stdout, stderr } = await run('terraform', args, { cwd: dir, env, maxBuffer: 16 << 20 });
        return { code: 0, output: stdout + stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        if (typeof failed.code !== 'number') throw error;
        return { code: failed.code, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
      }
    };
    const init = await terraform(['init', '-backend=false', '-input=false', '-no-color']);
    if (init.code !== 0) return init;
    return await terraform(['test', '-no-color', `-filter=tests/${name}.tftest.hcl`]);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** An HCL literal for a string or number (JSON's string escapes are HCL's; `${` and `%{` are escaped). */
export function hclLiteral(value: string | number): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value).replace(/([$%])\{/g, '$1$1{');
}

/**
 * Terraform driven from the integration tests and the local demo: a private copy of
 * terraform/modules and one example (so parallel runs and a user's own never share state or
 * .terraform), the CLI config from scripts/terraform/env.sh (provider mirror when present), and
 * every command's output kept for the error message.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@rotators/testkit';

const run = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment scripts/terraform/env.sh sets up (TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE, …). */
let cliEnvironment: Promise<Record<string, string>> | undefined;
export function terraformEnvironment(): Promise<Record<string, string>> {
  cliEnvironment ??= run('bash', ['-c', 'source scripts/terraform/env.sh && env -0'], {
    cwd: repoRoot,
    maxBuffer: 8 << 20,
  }).then(({ stdout }) => {
    const env: Record<string, string> = {};
    for (const entry of stdout.split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  });
  return cliEnvironment;
}

export class TerraformRoot {
  private constructor(
    readonly copy: string,
    readonly dir: string,
    private readonly variables: Record<string, string>,
  ) {}

  /** Sets (or replaces) a variable for every later command. */
  setVariable(name: string, value: string): void {
    this.variables[name] = value;
  }

  /** Copies terraform/modules and terraform/examples/<example> into a temporary folder. */
  static prepare(example: string, variables: Record<string, string>): TerraformRoot {
    const copy = mkdtempSync(join(tmpdir(), `tf-${example}-`));
    const skip = (source: string) =>
      !/(^|\/)(\.terraform|terraform\.tfstate[^/]*|\.terraform\.lock\.hcl)$/.test(source);
    cpSync(join(repoRoot, 'terraform', 'modules'), join(copy, 'terraform', 'modules'), {
      recursive: true,
      filter: skip,
    });
    cpSync(join(repoRoot, 'terraform', 'examples', example), join(copy, 'terraform', 'examples', example), {
      recursive: true,
      filter: skip,
    });
    return new TerraformRoot(copy, join(copy, 'terraform', 'examples', example), variables);
  }

  /**
   * A copy of `file` inside this root's folder: Terraform and the test then use the same bytes even
   * if the package is rebuilt meanwhile (in a shared work tree, another build may replace dist/).
   */
  snapshot(file: string): string {
    const copy = join(this.copy, basename(file));
    copyFileSync(file, copy);
    return copy;
  }

  /** Runs `terraform <args>`; resolves with the exit code (never throws on a non-zero one). */
  async command(args: string[], extraVariables: Record<string, string> = {}): Promise<CommandResult> {
    const env: Record<string, string> = { ...(await terraformEnvironment()) };
    // Variables as TF_VAR_*: they never appear in a process listing.
    for (const [name, value] of Object.entries({ ...this.variables, ...extraVariables })) env[`TF_VAR_${name}`] = value;
    try {
      const { stdout, stderr } = await run('terraform', [...args], { cwd: this.dir, env, maxBuffer: 32 << 20 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  /** Like command(), but a non-zero exit code is an error carrying Terraform's output. */
  async ok(args: string[], extraVariables: Record<string, string> = {}): Promise<CommandResult> {
    const result = await this.command(args, extraVariables);
    if (result.code !== 0)
      throw new Error(
        `terraform ${args[0]} exited with ${result.code}:\n${result.stderr}\n${result.stdout.slice(-4000)}`,
      );
    return result;
  }

  init = () => this.ok(['init', '-input=false', '-no-color']);
  apply = () => this.ok(['apply', '-input=false', '-no-color', '-auto-approve']);
  destroy = () => this.ok(['destroy', '-input=false', '-no-color', '-auto-approve']);

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes (its output says which). */
  plan = (extraVariables: Record<string, string> = {}) =>
    this.command(['plan', '-input=false', '-no-color', '-detailed-exitcode'], extraVariables);

  async outputs(): Promise<Record<string, string>> {
    const { stdout } = await this.ok(['output', '-json', '-no-color']);
    const parsed = JSON.parse(stdout) as Record<string, { value: string }>;
    return Object.fromEntries(Object.entries(parsed).map(([key, { value }]) => [key, value]));
  }

  async stateResources(): Promise<string[]> {
    const result = await this.command(['state', 'list', '-no-color']);
    return result.stdout.split('\n').filter(Boolean);
  }

  remove(): void {
    rmSync(this.copy, { recursive: true, force: true });
  }
}

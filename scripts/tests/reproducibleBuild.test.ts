/**
 * Every rotator's zip is reproducible: two builds of the same sources, each into a folder of its
 * own, give byte-identical zips, and those equal the package's dist/ zip (so what Terraform
 * deploys is what the sources say). Packages build one after the other: each build is CPU-bound.
 * The zip holds dist/lambda/ as the bundler wrote it (index.mjs, its chunks, the bundled packages'
 * licence notices) and no source map.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { repoRoot, zipPath } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { rotatorPackages } from './rotatorPackages.ts';

const packages = rotatorPackages(repoRoot);

describe('reproducible build', () => {
  it('finds the rotator packages', () => {
    expect(packages.length).toBeGreaterThan(0);
  });

  it.each(packages)('%s: two builds from the same sources give byte-identical zips, equal to dist/', (name) => {
    const first = buildZipSha256(name);
    const second = buildZipSha256(name);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(sha256(zipPath(name))).toBe(first);
  });

  it.each(packages)(
    '%s: the zip holds dist/lambda/ (index.mjs, chunks, licence notices), sorted and fixed-dated, and no source map',
    async (name) => {
      const lambda = join(dirname(zipPath(name)), 'lambda');
      const entries = await readZip(zipPath(name));
      const names = entries.map((entry) => entry.name);
      const files = readdirSync(lambda, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(lambda, join(e.parentPath, e.name)));
      expect(names).toEqual([...files].sort());
      expect(names).toContain('index.mjs');
      expect(names.some((n) => n.startsWith('chunks/') && n.endsWith('.mjs'))).toBe(true);
      expect(names.filter((n) => n.endsWith('.map'))).toEqual([]);
      for (const entry of entries) {
        expect(entry.content.equals(readFileSync(join(lambda, entry.name))), entry.name).toBe(true);
        expect(entry.dosDate, entry.name).toBe(DOS_DATE_2000_01_01);
      }
      // Every rotator bundles the AWS SDK and Powertools, whose sources carry licence comments.
      expect(entries.find((e) => e.name === 'index.mjs.LEGAL.txt')?.content.toString('utf8')).toMatch(
        /^Bundled license information:/,
      );
    },
  );
});

/** 2000-01-01 as a DOS date (the fixed timestamp scripts/zip-rotator.mjs writes). */
const DOS_DATE_2000_01_01 = ((2000 - 1980) << 9) | (1 << 5) | 1;

interface ZipEntry {
  name: string;
  dosDate: number;
  content: Buffer;
}

/** Every entry of a zip, in the order it was written. */
function readZip(file: string): Promise<ZipEntry[]> {
  return new Promise((resolveEntries, reject) => {
    yauzl.open(file, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError);
      const entries: ZipEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolveEntries(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, async (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          entries.push({ name: entry.fileName, dosDate: entry.lastModFileDate, content: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
      zip.readEntry();
    });
  });
}

/** Builds `name` with the same scripts `turbo run package` runs, into a temporary folder; the zip's SHA-256. */
function buildZipSha256(name: string): string {
  const out = mkdtempSync(join(tmpdir(), 'rotator-build-'));
  try {
    for (const script of ['bundle-rotator.mjs', 'zip-rotator.mjs']) {
      execFileSync(process.execPath, [join(repoRoot, 'scripts', script), '--out', out], {
        cwd: join(repoRoot, 'packages', name),
        stdio: 'pipe',
      });
    }
    return sha256(join(out, `${name}.zip`));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

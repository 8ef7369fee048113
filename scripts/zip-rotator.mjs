#!/usr/bin/env node
// Zip dist/lambda/ (index.mjs, its chunks and their licence notices, as bundle-rotator.mjs wrote them)
// into dist/<rotator>.zip, byte-identical for identical input: entries in a fixed order with a fixed
// timestamp and mode, so Terraform's source_code_hash only changes when the code does. yazl
// writes exactly the metadata it is given, which is why it is used here.
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

// Usage: node scripts/zip-rotator.mjs [--out DIR]   (DIR holds lambda/; defaults to dist)
const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });

// Local midnight, written as a DOS timestamp only: the bytes do not depend on the machine's time zone.
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

const packageDir = process.cwd();
const dist = resolve(packageDir, args.out);
const rotator = basename(packageDir);
const lambdaDir = join(dist, 'lambda');
// Paths with '/' whatever the platform; sorted so the order does not depend on the file system.
const entries = readdirSync(lambdaDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) =>
    join(entry.parentPath, entry.name)
      .slice(lambdaDir.length + 1)
      .split(sep)
      .join('/'),
  )
  .sort();
if (!entries.includes('index.mjs')) throw new Error(`${lambdaDir} holds no index.mjs: run bundle-rotator.mjs first`);

const zip = new yazl.ZipFile();
for (const name of entries) {
  zip.addBuffer(readFileSync(join(lambdaDir, name)), name, {
    mtime: FIXED_MTIME,
    mode: FILE_MODE,
    compress: true,
    forceDosTimestamp: true,
    compressionLevel: 9,
  });
}
zip.end({ forceZip64Format: false });
const target = join(dist, `${rotator}.zip`);
await pipeline(zip.outputStream, createWriteStream(target));
const sha256 = createHash('sha256').update(readFileSync(target)).digest('hex');
console.log(`${rotator}: ${args.out}/${rotator}.zip sha256 ${sha256}`);

#!/usr/bin/env node
// Zip dist/index.js and its licence notices (dist/index.js.LEGAL.txt, when esbuild wrote one) into
// dist/<rotator>.zip, byte-identical for identical input: entries in a fixed order with a fixed
// timestamp and mode, so Terraform's source_code_hash only changes when the code does. yazl
// writes exactly the metadata it is given, which is why it is used here.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

// Usage: node scripts/zip-rotator.mjs [--out DIR]   (DIR holds index.js; defaults to dist)
const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });

// Local midnight, written as a DOS timestamp only: the bytes do not depend on the machine's time zone.
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

const packageDir = process.cwd();
const dist = resolve(packageDir, args.out);
const rotator = basename(packageDir);
// The source map stays out of the zip (dist/index.js.map).
const entries = ['index.js', 'index.js.LEGAL.txt'].filter((name) => name === 'index.js' || existsSync(join(dist, name)));

const zip = new yazl.ZipFile();
for (const name of [...entries].sort()) {
  zip.addBuffer(readFileSync(join(dist, name)), name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, forceDosTimestamp: true });
}
zip.end({ forceZip64Format: false });
const target = join(dist, `${rotator}.zip`);
await pipeline(zip.outputStream, createWriteStream(target));
const sha256 = createHash('sha256').update(readFileSync(target)).digest('hex');
console.log(`${rotator}: ${args.out}/${rotator}.zip sha256 ${sha256}`);
